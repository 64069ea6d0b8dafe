import { ApiError } from '../errors/api-error';

/** Type checks over parsed JSON that fail with OpenAI's wording and the field's path as `param`. */

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** How OpenAI's messages name a JSON value's type: `an integer`, `an array`, `null`… */
export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

export function invalidType(param: string, expected: string, value: unknown): ApiError {
  return ApiError.badRequest(
    `Invalid type for '${param}': expected ${expected}, but got ${describeJsonValue(value)} instead.`,
    param,
    'invalid_type',
  );
}

export function missing(param: string): ApiError {
  return ApiError.badRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

export function invalidValue(param: string, message: string, code = 'invalid_value'): ApiError {
  return ApiError.badRequest(message, param, code);
}

export function tooLong(param: string, maxLength: number, length: number): ApiError {
  return invalidValue(
    param,
    `Invalid '${param}': string too long. Expected a string with maximum length ${maxLength}, but got a string with length ${length} instead.`,
    'string_above_max_length',
  );
}

/** `'value'` for a message, cut short so junk input cannot blow up an error body. */
export function quote(value: string): string {
  return value.length > 64 ? `'${value.slice(0, 64)}…'` : `'${value}'`;
}

/** A string field that may be absent or null, of at most `maxLength` UTF-16 units. */
export function optionalString(
  object: JsonObject,
  key: string,
  param: string,
  maxLength = Number.POSITIVE_INFINITY,
): string | null {
  const value = object[key];
  if (value == null) return null;
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  if (value.length > maxLength) throw tooLong(param, maxLength, value.length);
  return value;
}

export function requiredString(
  object: JsonObject,
  key: string,
  param: string,
  maxLength = Number.POSITIVE_INFINITY,
): string {
  const value = optionalString(object, key, param, maxLength);
  if (value === null) throw missing(param);
  return value;
}

export function optionalBoolean(object: JsonObject, key: string, param: string): boolean | null {
  const value = object[key];
  if (value == null) return null;
  if (typeof value !== 'boolean') throw invalidType(param, 'a boolean', value);
  return value;
}

export function optionalInteger(object: JsonObject, key: string, param: string, min: number): number | null {
  const value = object[key];
  if (value == null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidType(param, 'an integer', value);
  if (value < min) {
    throw invalidValue(
      param,
      `Invalid '${param}': integer below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      'integer_below_min_value',
    );
  }
  return value;
}

export function optionalObject(object: JsonObject, key: string, param: string): JsonObject | null {
  const value = object[key];
  if (value == null) return null;
  if (!isObject(value)) throw invalidType(param, 'an object', value);
  return value;
}
