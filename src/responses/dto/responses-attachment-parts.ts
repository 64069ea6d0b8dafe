import {
  type AcceptedAttachment,
  type AttachmentBudget,
  fromFileData,
  fromUrl,
  unsupportedFileId,
} from '../../chat/dto/attachment-parts';
import { FIELD_LIMITS } from '../../chat/dto/field-limits';
import { type JsonObject, missing, optionalString } from '../../common/http/json-checks';

/**
 * Responses message parts: `input_image {image_url, detail?}` (a data or http(s) URL; `detail` means
 * nothing here) and `input_file {file_data | file_url, filename?}`. `file_id` (Files API) is a 400.
 */
export function readResponsesAttachment(
  part: JsonObject,
  type: string,
  path: string,
  budget: AttachmentBudget,
): AcceptedAttachment | null {
  if (type === 'input_image') return inputImage(part, path, budget);
  if (type === 'input_file') return inputFile(part, path, budget);
  return null;
}

function inputImage(part: JsonObject, path: string, budget: AttachmentBudget): AcceptedAttachment {
  optionalString(part, 'detail', `${path}.detail`);
  const url = optionalString(part, 'image_url', `${path}.image_url`);
  if (url === null) {
    if (part.file_id != null) throw unsupportedFileId(`${path}.file_id`);
    throw missing(`${path}.image_url`);
  }
  return fromUrl(budget, url, { path, field: `${path}.image_url`, kind: 'image', fileName: null });
}

function inputFile(part: JsonObject, path: string, budget: AttachmentBudget): AcceptedAttachment {
  const fileName = optionalString(part, 'filename', `${path}.filename`, FIELD_LIMITS.fileName);
  const data = optionalString(part, 'file_data', `${path}.file_data`);
  if (data !== null) return fromFileData(budget, data, { path, field: `${path}.file_data`, kind: 'file', fileName });
  const url = optionalString(part, 'file_url', `${path}.file_url`);
  if (url !== null) return fromUrl(budget, url, { path, field: `${path}.file_url`, kind: 'file', fileName });
  if (part.file_id != null) throw unsupportedFileId(`${path}.file_id`);
  throw missing(`${path}.file_data`);
}
