import type { ApiError } from '../../common/errors/api-error';
import { describeJsonValue, invalidValue, isObject, quote } from '../../common/http/json-checks';
import type { JsonSchema } from '../tools/tool-types';

/**
 * The `response_format` of a Chat Completions request, reduced to what the structured-output stage acts
 * on. `{type: 'text'}` and an absent field both mean "no constraint" and parse to null.
 */
export type ResponseFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; description: string | null; schema: JsonSchema | null; strict: boolean };

/** OpenAI's rule for `response_format.json_schema.name`. */
const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** The schema goes into the prompt verbatim; past this size (UTF-8 bytes of its JSON) it is refused. */
export const MAX_SCHEMA_BYTES = 100_000;

const SUPPORTED_TYPES = "'text', 'json_object', and 'json_schema'";

/** As `invalidType` words it, with this field's code (`invalid_value`) kept. */
function wrongType(param: string, expected: string, value: unknown): ApiError {
  return invalidValue(
    param,
    `Invalid type for '${param}': expected ${expected}, but got ${describeJsonValue(value)} instead.`,
  );
}

/**
 * Reads `response_format` as OpenAI's Chat Completions API defines it; null when there is nothing to
 * enforce. Unknown keys beside the known ones are ignored, as elsewhere in the request body.
 * @throws ApiError 400 `invalid_value` with the path of the field at fault as `param`.
 */
export function parseResponseFormat(value: unknown): ResponseFormat | null {
  if (value == null) return null;
  if (!isObject(value)) throw wrongType('response_format', 'an object', value);
  const type = value.type;
  if (type == null) {
    throw invalidValue('response_format.type', "Missing required parameter: 'response_format.type'.");
  }
  if (typeof type !== 'string') throw wrongType('response_format.type', 'a string', type);
  switch (type) {
    case 'text':
      return null;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema':
      return parseJsonSchema(value.json_schema);
    default:
      throw invalidValue(
        'response_format.type',
        `Invalid value: ${quote(type)}. Supported values are: ${SUPPORTED_TYPES}.`,
      );
  }
}

function parseJsonSchema(value: unknown): ResponseFormat {
  const param = 'response_format.json_schema';
  if (value == null) throw invalidValue(param, `Missing required parameter: '${param}'.`);
  if (!isObject(value)) throw wrongType(param, 'an object', value);
  return {
    type: 'json_schema',
    name: parseName(value.name),
    description: parseDescription(value.description),
    schema: parseSchema(value.schema),
    strict: parseStrict(value.strict),
  };
}

function parseName(name: unknown): string {
  const param = 'response_format.json_schema.name';
  if (name == null) throw invalidValue(param, `Missing required parameter: '${param}'.`);
  if (typeof name !== 'string') throw wrongType(param, 'a string', name);
  if (!NAME_PATTERN.test(name)) {
    throw invalidValue(
      param,
      `Invalid '${param}': ${quote(name)} does not match pattern. Expected 1 to 64 characters from a-z, A-Z, 0-9, underscores and dashes.`,
    );
  }
  return name;
}

function parseDescription(description: unknown): string | null {
  if (description == null) return null;
  if (typeof description !== 'string') {
    throw wrongType('response_format.json_schema.description', 'a string', description);
  }
  return description;
}

function parseSchema(schema: unknown): JsonSchema | null {
  const param = 'response_format.json_schema.schema';
  if (schema == null) return null;
  if (!isObject(schema)) throw wrongType(param, 'an object', schema);
  const bytes = serializedBytes(schema);
  if (bytes > MAX_SCHEMA_BYTES) {
    throw invalidValue(
      param,
      `Invalid '${param}': schema too large. Expected at most ${MAX_SCHEMA_BYTES} bytes of JSON, but got ${Number.isFinite(bytes) ? bytes : 'more'} instead.`,
    );
  }
  return schema;
}

/** UTF-8 size of the schema's compact JSON; a schema too deep to serialise counts as too large. */
function serializedBytes(schema: Record<string, unknown>): number {
  try {
    return Buffer.byteLength(JSON.stringify(schema), 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function parseStrict(strict: unknown): boolean {
  if (strict == null) return false;
  if (typeof strict !== 'boolean') throw wrongType('response_format.json_schema.strict', 'a boolean', strict);
  return strict;
}
