import {
  type AcceptedAttachment,
  type AttachmentBudget,
  fromBase64,
  fromUrl,
  unsupportedFileId,
} from '../chat/dto/attachment-parts';
import type { TextPart } from '../chat/dto/chat-completion-request';
import { FIELD_LIMITS } from '../chat/dto/field-limits';
import {
  invalidType,
  invalidValue,
  isObject,
  type JsonObject,
  missing,
  optionalObject,
  optionalString,
  quote,
  requiredString,
} from '../common/http/json-checks';

/**
 * Anthropic `image` and `document` blocks: a base64 or URL source is an attachment; a document's text
 * source is plain text (its title first). A document's `title` names the file, its `context` follows the
 * marker; `citations` is accepted and means nothing (answers carry no citations). `source.type: 'file'`
 * (Files API ids) cannot be resolved here: a 400.
 * Returns null for any other block type.
 */
export function readAttachmentBlock(
  block: JsonObject,
  type: string,
  path: string,
  budget: AttachmentBudget,
): TextPart[] | AcceptedAttachment | null {
  if (type === 'image') return imageBlock(block, path, budget);
  if (type === 'document') return documentBlock(block, path, budget);
  return null;
}

function imageBlock(block: JsonObject, path: string, budget: AttachmentBudget): AcceptedAttachment {
  const source = sourceOf(block, path);
  const place = { path, field: `${path}.source`, kind: 'image' as const, fileName: null };
  switch (source.type) {
    case 'base64':
      return fromBase64(budget, base64Data(source.object, place.field), source.mediaType(), {
        ...place,
        field: `${place.field}.data`,
      });
    case 'url':
      return fromUrl(budget, requiredString(source.object, 'url', `${place.field}.url`), {
        ...place,
        field: `${place.field}.url`,
      });
    default:
      throw unknownSource(source.type, place.field, "'base64' and 'url'");
  }
}

function documentBlock(block: JsonObject, path: string, budget: AttachmentBudget): TextPart[] | AcceptedAttachment {
  const title = optionalString(block, 'title', `${path}.title`, FIELD_LIMITS.fileName);
  const context = optionalString(block, 'context', `${path}.context`);
  optionalObject(block, 'citations', `${path}.citations`);
  const source = sourceOf(block, path);
  const place = { path, field: `${path}.source`, kind: 'file' as const, fileName: title };
  let accepted: AcceptedAttachment;
  switch (source.type) {
    case 'text': {
      const text = requiredString(source.object, 'data', `${place.field}.data`);
      return [title, context, text]
        .filter((part): part is string => !!part)
        .map((part) => ({ type: 'text', text: part }));
    }
    case 'base64':
      accepted = fromBase64(budget, base64Data(source.object, place.field), source.mediaType(), {
        ...place,
        field: `${place.field}.data`,
      });
      break;
    case 'url':
      accepted = fromUrl(budget, requiredString(source.object, 'url', `${place.field}.url`), {
        ...place,
        field: `${place.field}.url`,
      });
      break;
    default:
      throw unknownSource(source.type, place.field, "'base64', 'url' and 'text'");
  }
  if (context) accepted.marker = { type: 'text', text: `${accepted.marker.text}\n${context}` };
  return accepted;
}

interface Source {
  type: string;
  object: JsonObject;
  mediaType: () => string;
}

function sourceOf(block: JsonObject, path: string): Source {
  const field = `${path}.source`;
  const object = block.source;
  if (object == null) throw missing(field);
  if (!isObject(object)) throw invalidType(field, 'an object', object);
  const type = requiredString(object, 'type', `${field}.type`);
  if (type === 'file') throw unsupportedFileId(field);
  return { type, object, mediaType: () => requiredString(object, 'media_type', `${field}.media_type`) };
}

function base64Data(source: JsonObject, field: string): string {
  return requiredString(source, 'data', `${field}.data`);
}

function unknownSource(type: string, field: string, supported: string): Error {
  return invalidValue(`${field}.type`, `Invalid value: ${quote(type)}. Supported values are: ${supported}.`);
}
