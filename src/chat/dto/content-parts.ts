import { ApiError } from '../../common/errors/api-error';
import { invalidType, isObject, type JsonObject, quote, requiredString } from '../../common/http/json-checks';
import type { Attachment } from '../../attachments/attachment';
import { type AcceptedAttachment, AttachmentBudget } from './attachment-parts';
import type { RequestLimits, TextPart } from './chat-completion-request';

/** Part types every API may send that we name in the dropped-parts note; any other is `other`, so no client string reaches a log. */
const KNOWN_DROPPED_TYPES: ReadonlySet<string> = new Set([
  'image_url',
  'input_audio',
  'file',
  'video_url',
  'image',
  'document',
  'search_result',
  'input_image',
  'input_file',
]);

/** The image and file part types of every API: with attachments on, they are refused only where misplaced. */
const ATTACHMENT_PART_TYPES: ReadonlySet<string> = new Set([
  'image_url',
  'file',
  'image',
  'document',
  'input_image',
  'input_file',
]);

/**
 * What to do with a part that is not text: `dropParts` (DROP_UNSUPPORTED_PARTS) leaves it out and notes
 * its type; `attachments` (the request's ATTACHMENT_* budget) lets images and files in; absent, they are
 * refused or dropped like any other part.
 */
export interface PartPolicy {
  dropped: Set<string>;
  dropParts: boolean;
  attachments?: AttachmentBudget;
}

/** The policy of one request: a fresh attachment budget when ATTACHMENT_* limits are set. */
export function partPolicyFor(limits: Pick<RequestLimits, 'dropUnsupportedParts' | 'attachments'>): PartPolicy {
  return {
    dropped: new Set(),
    dropParts: limits.dropUnsupportedParts === true,
    attachments: limits.attachments && new AttachmentBudget(limits.attachments),
  };
}

/** A part of `type` read as an attachment (the budget checked), or null when `type` is no attachment here. */
export type AttachmentReader = (
  part: JsonObject,
  type: string,
  path: string,
  budget: AttachmentBudget,
) => AcceptedAttachment | null;

/** A message's content: its text parts (a marker where each attachment was) and its attachments, in order. */
export interface MessageContent {
  parts: TextPart[];
  attachments: Attachment[];
}

/**
 * A part that cannot reach the web chat: a 400 `unsupported_content` naming it (`noun`: what the API
 * calls it, `part` or `block`), or, when the policy says so, left out with its type noted.
 */
export function refuseOrDropPart(type: string, path: string, policy: PartPolicy, noun = 'part'): void {
  if (!policy.dropParts) {
    throw ApiError.badRequest(
      `Unsupported content ${noun} at '${path}': type ${quote(type)}${refusalReason(type, policy, noun)}; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.`,
      path,
      'unsupported_content',
    );
  }
  policy.dropped.add(KNOWN_DROPPED_TYPES.has(type) ? type : 'other');
}

function refusalReason(type: string, policy: PartPolicy, noun: string): string {
  if (!policy.attachments) return `. Only text ${noun === 'part' ? 'parts reach' : 'reaches'} the DeepSeek web chat`;
  if (ATTACHMENT_PART_TYPES.has(type)) return ' is accepted in user messages only';
  return `. Only text, images and files reach the DeepSeek web chat`;
}

/**
 * An array of content parts → its text and attachments. `textKeyOf` says which part types carry text,
 * and under which key; `readAttachment` (null where attachments do not belong) reads images and files
 * when the policy has a budget; every other part goes to `refuseOrDropPart`.
 */
export function contentPartsOf(
  value: unknown,
  path: string,
  policy: PartPolicy,
  textKeyOf: (type: string) => string | null,
  readAttachment: AttachmentReader | null,
  expected = 'one of a string or array of objects',
): MessageContent {
  if (!Array.isArray(value)) throw invalidType(path, expected, value);
  const content: MessageContent = { parts: [], attachments: [] };
  value.forEach((part: unknown, i) => {
    const partPath = `${path}[${i}]`;
    if (!isObject(part)) throw invalidType(partPath, 'an object', part);
    const type = requiredString(part, 'type', `${partPath}.type`);
    const textKey = textKeyOf(type);
    if (textKey) {
      content.parts.push({ type: 'text', text: requiredString(part, textKey, `${partPath}.${textKey}`) });
      return;
    }
    const accepted =
      policy.attachments && readAttachment ? readAttachment(part, type, partPath, policy.attachments) : null;
    if (accepted) {
      content.parts.push(accepted.marker);
      content.attachments.push(accepted.attachment);
    } else refuseOrDropPart(type, partPath, policy);
  });
  return content;
}
