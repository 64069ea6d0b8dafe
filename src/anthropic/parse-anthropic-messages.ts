import {
  invalidType,
  invalidValue,
  isObject,
  JsonObject,
  optionalBoolean,
  quote,
  requiredString,
} from '../common/http/json-checks';
import { type ChatMessage, chatMessage, type TextPart, type ToolCall } from '../chat/dto/chat-completion-request';
import { type PartPolicy, refuseOrDropPart } from '../chat/dto/content-parts';
import { FIELD_LIMITS } from '../chat/dto/field-limits';

/** Reasoning a client echoes back: accepted and left out of the prompt (the upstream cannot read it back). */
const ECHOED_REASONING: ReadonlySet<string> = new Set(['thinking', 'redacted_thinking']);

/** `DROP_UNSUPPORTED_PARTS` and the dropped block types, for a log note. */
export type BlockOptions = PartPolicy;

const message = chatMessage;

/** `system`: a string or text blocks; null when absent. */
export function parseSystem(value: unknown, options: BlockOptions): ChatMessage | null {
  if (value == null) return null;
  if (typeof value === 'string') return message('system', value);
  if (!Array.isArray(value)) throw invalidType('system', 'a string or an array of text blocks', value);
  return message('system', textBlocks(value, 'system', options));
}

/**
 * One entry of `messages` (`path` is `messages[i]`) as our messages: a user turn's `tool_result` blocks
 * become `tool` messages (before its text, as Anthropic orders them), an assistant's `tool_use` blocks its
 * tool calls.
 */
export function parseAnthropicMessage(value: unknown, path: string, options: BlockOptions): ChatMessage[] {
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  const role = requiredString(value, 'role', `${path}.role`);
  if (role !== 'user' && role !== 'assistant') {
    throw invalidValue(`${path}.role`, `Invalid value: ${quote(role)}. Supported values are: 'user' and 'assistant'.`);
  }
  const content = value.content;
  const contentPath = `${path}.content`;
  if (typeof content === 'string') return [message(role, content)];
  if (!Array.isArray(content)) throw invalidType(contentPath, 'a string or an array of content blocks', content);
  return role === 'user' ? userTurn(content, contentPath, options) : [assistantTurn(content, contentPath, options)];
}

function userTurn(blocks: readonly unknown[], path: string, options: BlockOptions): ChatMessage[] {
  const results: ChatMessage[] = [];
  const text: TextPart[] = [];
  blocks.forEach((raw, i) => {
    const blockPath = `${path}[${i}]`;
    const block = blockOf(raw, blockPath);
    const type = requiredString(block, 'type', `${blockPath}.type`);
    if (type === 'tool_result') results.push(toolResult(block, blockPath, options));
    else readPlainBlock(block, type, blockPath, options, text);
  });
  return text.length > 0 || results.length === 0 ? [...results, message('user', text)] : results;
}

function assistantTurn(blocks: readonly unknown[], path: string, options: BlockOptions): ChatMessage {
  const text: TextPart[] = [];
  const toolCalls: ToolCall[] = [];
  blocks.forEach((raw, i) => {
    const blockPath = `${path}[${i}]`;
    const block = blockOf(raw, blockPath);
    const type = requiredString(block, 'type', `${blockPath}.type`);
    if (type === 'tool_use') toolCalls.push(toolUse(block, blockPath));
    else readPlainBlock(block, type, blockPath, options, text);
  });
  return message('assistant', text, { toolCalls });
}

function blockOf(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  return value;
}

/** A block that is neither a tool call nor a tool result: its text is kept, reasoning dropped, the rest refused. */
function readPlainBlock(block: JsonObject, type: string, path: string, options: BlockOptions, text: TextPart[]): void {
  if (type === 'text') text.push({ type: 'text', text: requiredString(block, 'text', `${path}.text`) });
  else if (!ECHOED_REASONING.has(type)) refuseOrDrop(type, path, options);
}

function textBlocks(blocks: readonly unknown[], path: string, options: BlockOptions): TextPart[] {
  const text: TextPart[] = [];
  blocks.forEach((raw, i) => {
    const blockPath = `${path}[${i}]`;
    const block = blockOf(raw, blockPath);
    const type = requiredString(block, 'type', `${blockPath}.type`);
    if (type === 'text') text.push({ type: 'text', text: requiredString(block, 'text', `${blockPath}.text`) });
    else refuseOrDrop(type, blockPath, options);
  });
  return text;
}

function refuseOrDrop(type: string, path: string, options: BlockOptions): void {
  refuseOrDropPart(type, path, options, 'block');
}

function toolUse(block: JsonObject, path: string): ToolCall {
  const input = block.input;
  if (input != null && !isObject(input)) throw invalidType(`${path}.input`, 'an object', input);
  return {
    id: requiredString(block, 'id', `${path}.id`, FIELD_LIMITS.toolCallId),
    name: requiredString(block, 'name', `${path}.name`, FIELD_LIMITS.name),
    arguments: JSON.stringify(input ?? {}),
  };
}

function toolResult(block: JsonObject, path: string, options: BlockOptions): ChatMessage {
  const toolCallId = requiredString(block, 'tool_use_id', `${path}.tool_use_id`, FIELD_LIMITS.toolCallId);
  const isError = optionalBoolean(block, 'is_error', `${path}.is_error`) ?? false;
  const content = block.content;
  const contentPath = `${path}.content`;
  let text: string | TextPart[];
  if (content == null) text = '';
  else if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) text = textBlocks(content, contentPath, options);
  else throw invalidType(contentPath, 'a string or an array of content blocks', content);
  return message('tool', text, { toolCallId, isError });
}
