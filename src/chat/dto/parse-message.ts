import { CHAT_ROLES, ChatMessage, ChatRole, TextPart, ToolCall } from './chat-completion-request';
import {
  invalidType,
  invalidValue,
  isObject,
  JsonObject,
  missing,
  optionalString,
  quote,
  requiredString,
} from '../../common/http/json-checks';
import { contentPartsOf, type MessageContent, type PartPolicy } from './content-parts';
import { readOpenAiAttachment } from './openai-attachment-parts';
import { FIELD_LIMITS } from './field-limits';

const SUPPORTED_ROLES = "'system', 'assistant', 'user', 'function', 'tool', and 'developer'";

/**
 * One entry of `messages`; `path` is `messages[i]`. Images and files of a user message become its
 * attachments (as the spec has it, other roles carry text only); any other non-text part is a 400
 * `unsupported_content` naming it, or, with `dropParts` (DROP_UNSUPPORTED_PARTS), left out and its type
 * noted in `dropped`.
 */
export function parseMessage(value: unknown, path: string, policy: PartPolicy): ChatMessage {
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  const role = parseRole(value, `${path}.role`);
  const { content, attachments } = parseContent(value.content, `${path}.content`, role, policy);
  return {
    role,
    content,
    name: optionalString(value, 'name', `${path}.name`, FIELD_LIMITS.name),
    toolCalls: role === 'assistant' ? parseToolCalls(value, path) : [],
    toolCallId:
      role === 'tool' ? optionalString(value, 'tool_call_id', `${path}.tool_call_id`, FIELD_LIMITS.toolCallId) : null,
    isError: false,
    reasoningContent:
      role === 'assistant' ? optionalString(value, 'reasoning_content', `${path}.reasoning_content`) : null,
    attachments,
  };
}

function parseRole(message: JsonObject, param: string): ChatRole {
  const role = requiredString(message, 'role', param);
  const known = CHAT_ROLES.find((candidate) => candidate === role);
  if (!known) throw invalidValue(param, `Invalid value: ${quote(role)}. Supported values are: ${SUPPORTED_ROLES}.`);
  return known;
}

function parseContent(
  value: unknown,
  path: string,
  role: ChatRole,
  policy: PartPolicy,
): { content: string | TextPart[] | null; attachments: MessageContent['attachments'] } {
  if (value == null) return { content: null, attachments: [] };
  if (typeof value === 'string') return { content: value, attachments: [] };
  // An assistant's refusal part is text the model said.
  const { parts, attachments } = contentPartsOf(
    value,
    path,
    policy,
    (type) => (type === 'text' ? 'text' : type === 'refusal' ? 'refusal' : null),
    role === 'user' ? readOpenAiAttachment : null,
  );
  return { content: parts, attachments };
}

function parseToolCalls(message: JsonObject, path: string): ToolCall[] {
  const calls: ToolCall[] = [];
  const raw = message.tool_calls;
  if (raw != null) {
    if (!Array.isArray(raw)) throw invalidType(`${path}.tool_calls`, 'an array', raw);
    for (let i = 0; i < raw.length; i++) {
      const callPath = `${path}.tool_calls[${i}]`;
      const call: unknown = raw[i];
      if (!isObject(call)) throw invalidType(callPath, 'an object', call);
      const id = optionalString(call, 'id', `${callPath}.id`, FIELD_LIMITS.toolCallId);
      if (call.type === 'custom') {
        calls.push({ id, ...parseCustomCall(call.custom, `${callPath}.custom`) });
        continue;
      }
      if (call.function == null) throw missing(`${callPath}.function`);
      calls.push({ id, ...parseFunction(call.function, `${callPath}.function`) });
    }
  }
  if (message.function_call != null) {
    calls.push({ id: null, ...parseFunction(message.function_call, `${path}.function_call`) });
  }
  return calls;
}

/** A custom tool's call (`{name, input}`): its raw input is the one `input` parameter, as the prompt renders it. */
function parseCustomCall(value: unknown, path: string): Pick<ToolCall, 'name' | 'arguments'> {
  if (value == null) throw missing(path);
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  return {
    name: requiredString(value, 'name', `${path}.name`, FIELD_LIMITS.name),
    arguments: JSON.stringify({ input: optionalString(value, 'input', `${path}.input`) ?? '' }),
  };
}

function parseFunction(value: unknown, path: string): Pick<ToolCall, 'name' | 'arguments'> {
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  return {
    name: requiredString(value, 'name', `${path}.name`, FIELD_LIMITS.name),
    arguments: optionalString(value, 'arguments', `${path}.arguments`) ?? '{}',
  };
}
