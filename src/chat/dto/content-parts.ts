import { ApiError } from '../../common/errors/api-error';
import { invalidType, isObject, quote, requiredString } from '../../common/http/json-checks';
import type { TextPart } from './chat-completion-request';

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

/** What to do with a part that is not text: `dropParts` (DROP_UNSUPPORTED_PARTS) leaves it out and notes its type. */
export interface PartPolicy {
  dropped: Set<string>;
  dropParts: boolean;
}

/**
 * A part that cannot reach the web chat: a 400 `unsupported_content` naming it (`noun`: what the API
 * calls it, `part` or `block`), or, when the policy says so, left out with its type noted.
 */
export function refuseOrDropPart(type: string, path: string, policy: PartPolicy, noun = 'part'): void {
  if (!policy.dropParts) {
    throw ApiError.badRequest(
      `Unsupported content ${noun} at '${path}': type ${quote(type)}. Only text ${noun === 'part' ? 'parts reach' : 'reaches'} the DeepSeek web chat; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.`,
      path,
      'unsupported_content',
    );
  }
  policy.dropped.add(KNOWN_DROPPED_TYPES.has(type) ? type : 'other');
}

/**
 * An array of content parts → its text parts. `textKeyOf` says which part types carry text, and
 * under which key; every other part goes to `refuseOrDropPart`.
 */
export function textPartsOf(
  value: unknown,
  path: string,
  policy: PartPolicy,
  textKeyOf: (type: string) => string | null,
  expected = 'one of a string or array of objects',
): TextPart[] {
  if (!Array.isArray(value)) throw invalidType(path, expected, value);
  const parts: TextPart[] = [];
  value.forEach((part: unknown, i) => {
    const partPath = `${path}[${i}]`;
    if (!isObject(part)) throw invalidType(partPath, 'an object', part);
    const type = requiredString(part, 'type', `${partPath}.type`);
    const textKey = textKeyOf(type);
    if (textKey) parts.push({ type: 'text', text: requiredString(part, textKey, `${partPath}.${textKey}`) });
    else refuseOrDropPart(type, partPath, policy);
  });
  return parts;
}
