import {
  invalidType,
  isObject,
  type JsonObject,
  missing,
  optionalString,
  requiredString,
} from '../../common/http/json-checks';
import {
  type AcceptedAttachment,
  type AttachmentBudget,
  fromFileData,
  fromUrl,
  unsupportedFileId,
} from './attachment-parts';
import { FIELD_LIMITS } from './field-limits';

/**
 * OpenAI Chat Completions user parts: `image_url {image_url: {url, detail?} | url}` and `file {file:
 * {file_data, filename?, file_id?}}`. `detail` is accepted and means nothing: DeepSeek reads the file as is.
 */
export function readOpenAiAttachment(
  part: JsonObject,
  type: string,
  path: string,
  budget: AttachmentBudget,
): AcceptedAttachment | null {
  if (type === 'image_url') return imageUrlPart(part.image_url, path, budget);
  if (type === 'file') return filePart(part.file, path, budget);
  return null;
}

function imageUrlPart(value: unknown, path: string, budget: AttachmentBudget): AcceptedAttachment {
  const field = `${path}.image_url`;
  // Some clients send the URL bare, not as `{url}`.
  if (typeof value === 'string') return fromUrl(budget, value, { path, field, kind: 'image', fileName: null });
  if (value == null) throw missing(field);
  if (!isObject(value)) throw invalidType(field, 'an object', value);
  optionalString(value, 'detail', `${field}.detail`);
  const url = requiredString(value, 'url', `${field}.url`);
  return fromUrl(budget, url, { path, field: `${field}.url`, kind: 'image', fileName: null });
}

function filePart(value: unknown, path: string, budget: AttachmentBudget): AcceptedAttachment {
  const field = `${path}.file`;
  if (value == null) throw missing(field);
  if (!isObject(value)) throw invalidType(field, 'an object', value);
  const fileName = optionalString(value, 'filename', `${field}.filename`, FIELD_LIMITS.fileName);
  if (value.file_data == null && value.file_id != null) throw unsupportedFileId(`${field}.file_id`);
  const data = requiredString(value, 'file_data', `${field}.file_data`);
  return fromFileData(budget, data, { path, field: `${field}.file_data`, kind: 'file', fileName });
}
