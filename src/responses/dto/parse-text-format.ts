import { ApiError } from '../../common/errors/api-error';
import { invalidType, isObject, optionalObject, type JsonObject } from '../../common/http/json-checks';
import { parseResponseFormat, type ResponseFormat } from '../../chat/structured-output/response-format';

export interface ParsedTextFormat {
  format: ResponseFormat | null;
  /** What a Response echoes as `text`. */
  echoed: { format: unknown };
}

/**
 * `text.format`: `{type: "text"}`, `{type: "json_object"}` or the flat `{type: "json_schema", name, schema,
 * strict}`. Checked by the Chat Completions `response_format` rules, with the error paths renamed.
 */
export function parseTextFormat(body: JsonObject): ParsedTextFormat {
  const text = optionalObject(body, 'text', 'text');
  const format = text?.format;
  if (format == null) return { format: null, echoed: { format: { type: 'text' } } };
  if (!isObject(format)) throw invalidType('text.format', 'an object', format);
  const { type, name, description, schema, strict } = format;
  const asChatFormat = type === 'json_schema' ? { type, json_schema: { name, description, schema, strict } } : format;
  try {
    return { format: parseResponseFormat(asChatFormat), echoed: { format } };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const rename = (text: string) => text.replace(/response_format(\.json_schema)?/g, 'text.format');
    throw ApiError.badRequest(rename(error.message), error.param === null ? null : rename(error.param), error.code);
  }
}
