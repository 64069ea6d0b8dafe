import type { AttachmentLimits } from '../../attachments/attachment';
import type { ChatRole } from '../../chat/dto/chat-completion-request';
import { contentPartsOf, type MessageContent, type PartPolicy, partPolicyFor } from '../../chat/dto/content-parts';
import { FIELD_LIMITS } from '../../chat/dto/field-limits';
import {
  invalidType,
  invalidValue,
  isObject,
  type JsonObject,
  missing,
  optionalString,
  quote,
  requiredString,
} from '../../common/http/json-checks';
import type { InputItem } from '../input-items';
import { readResponsesAttachment } from './responses-attachment-parts';

const MESSAGE_ROLES: readonly ChatRole[] = ['user', 'developer', 'system', 'assistant'];
/** Part types we name in the dropped-parts note; any other is `other`, so no client string reaches a log. */

export interface ParsedInput {
  items: InputItem[];
  /** Hosted-tool items (`web_search_call`, `local_shell_call`, `compaction`…) left out: a count for a log note. */
  skipped: number;
  droppedPartTypes: Set<string>;
}

export interface InputOptions {
  maxItems: number;
  dropUnsupportedParts: boolean;
  /** Images and files; absent: refused or dropped like any other part. */
  attachments?: AttachmentLimits;
}

/** `input`: a string (one user message) or a list of items; reasoning items are accepted and not sent on. */
export function parseInput(value: unknown, options: InputOptions): ParsedInput {
  const policy = partPolicyFor({
    dropUnsupportedParts: options.dropUnsupportedParts,
    attachments: options.attachments,
  });
  const parsed: ParsedInput = { items: [], skipped: 0, droppedPartTypes: policy.dropped };
  if (value == null) return parsed;
  if (typeof value === 'string') {
    parsed.items.push({ type: 'message', role: 'user', content: value });
    return parsed;
  }
  if (!Array.isArray(value)) throw invalidType('input', 'a string or an array', value);
  if (value.length > options.maxItems) {
    throw invalidValue(
      'input',
      `Invalid 'input': array too long. Expected an array with maximum length ${options.maxItems}, but got an array with length ${value.length} instead.`,
      'array_above_max_length',
    );
  }
  value.forEach((entry: unknown, i) => parseItem(entry, `input[${i}]`, parsed, policy));
  return parsed;
}

function parseItem(value: unknown, path: string, parsed: ParsedInput, policy: PartPolicy): void {
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  // `{role, content}` without a type is a message (EasyInputMessage).
  const type = optionalString(value, 'type', `${path}.type`) ?? (value.role != null ? 'message' : null);
  if (type === null) throw missing(`${path}.type`);
  const { items } = parsed;
  switch (type) {
    case 'message':
      items.push(parseMessageItem(value, path, policy));
      return;
    case 'reasoning':
      // Our reasoning is never sent back to the model; its opaque `encrypted_content` is ours to ignore.
      return;
    case 'function_call':
      items.push({
        type: 'call',
        callId: callIdOf(value, path),
        name: requiredString(value, 'name', `${path}.name`, FIELD_LIMITS.name),
        arguments: requiredString(value, 'arguments', `${path}.arguments`),
      });
      return;
    case 'custom_tool_call':
      items.push({
        type: 'call',
        callId: callIdOf(value, path),
        name: requiredString(value, 'name', `${path}.name`, FIELD_LIMITS.name),
        arguments: JSON.stringify({ input: requiredString(value, 'input', `${path}.input`) }),
      });
      return;
    case 'function_call_output':
    case 'custom_tool_call_output':
      items.push({
        type: 'callOutput',
        callId: callIdOf(value, path),
        output: outputText(value.output, `${path}.output`, policy),
      });
      return;
    case 'item_reference':
      items.push({
        type: 'reference',
        id: requiredString(value, 'id', `${path}.id`, FIELD_LIMITS.toolCallId),
        param: path,
      });
      return;
    default:
      parsed.skipped++;
  }
}

function callIdOf(item: JsonObject, path: string): string {
  return requiredString(item, 'call_id', `${path}.call_id`, FIELD_LIMITS.toolCallId);
}

/** Images and files are attachments of user messages only (like Chat Completions); elsewhere refused or dropped. */
function parseMessageItem(item: JsonObject, path: string, policy: PartPolicy): InputItem {
  const rolePath = `${path}.role`;
  const role = requiredString(item, 'role', rolePath);
  const known = MESSAGE_ROLES.find((candidate) => candidate === role);
  if (!known) {
    throw invalidValue(
      rolePath,
      `Invalid value: ${quote(role)}. Supported values are: 'user', 'assistant', 'system', and 'developer'.`,
    );
  }
  const content = item.content;
  if (content == null) throw missing(`${path}.content`);
  if (typeof content === 'string') return { type: 'message', role: known, content };
  const { parts, attachments } = messageParts(content, `${path}.content`, policy, known === 'user');
  return { type: 'message', role: known, content: parts, ...(attachments.length > 0 && { attachments }) };
}

/** A tool's output: text only (an image in it is refused or dropped). */
function outputText(value: unknown, path: string, policy: PartPolicy): string {
  if (value == null) throw missing(path);
  if (typeof value === 'string') return value;
  return messageParts(value, path, policy, false)
    .parts.map((part) => part.text)
    .join('\n');
}

function messageParts(value: unknown, path: string, policy: PartPolicy, attach: boolean): MessageContent {
  return contentPartsOf(
    value,
    path,
    policy,
    (type) =>
      type === 'input_text' || type === 'output_text' || type === 'text'
        ? 'text'
        : type === 'refusal'
          ? 'refusal'
          : null,
    attach ? readResponsesAttachment : null,
    'a string or an array of objects',
  );
}
