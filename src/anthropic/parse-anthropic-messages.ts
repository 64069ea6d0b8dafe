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
import { type MessageContent, type PartPolicy, refuseOrDropPart } from '../chat/dto/content-parts';
import { readAttachmentBlock } from './anthropic-attachment-blocks';
import { FIELD_LIMITS } from '../chat/dto/field-limits';

/** Reasoning a client echoes back: accepted and left out of the prompt (the upstream cannot read it back). */
const ECHOED_REASONING: ReadonlySet<string> = new Set(['thinking', 'redacted_thinking']);

/** `DROP_UNSUPPORTED_PARTS`, the dropped block types (for a log note) and the request's attachment budget. */
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

/**
 * Images and documents are attachments of user turns only (tool results included: Claude Code sends
 * screenshots there); in an assistant turn they are refused or dropped.
 */
function userTurn(blocks: readonly unknown[], path: string, options: BlockOptions): ChatMessage[] {
  const results: ChatMessage[] = [];
  const content: MessageContent = { parts: [], attachments: [] };
  blocks.forEach((raw, i) => {
    const blockPath = `${path}[${i}]`;
    const block = blockOf(raw, blockPath);
    const type = requiredString(block, 'type', `${blockPath}.type`);
    if (type === 'tool_result') results.push(toolResult(block, blockPath, options));
    else readPlainBlock(block, type, blockPath, options, content, true);
  });
  if (content.parts.length === 0 && results.length > 0) return results;
  return [...results, message('user', content.parts, { attachments: content.attachments })];
}

function assistantTurn(blocks: readonly unknown[], path: string, options: BlockOptions): ChatMessage {
  const content: MessageContent = { parts: [], attachments: [] };
  const toolCalls: ToolCall[] = [];
  blocks.forEach((raw, i) => {
    const blockPath = `${path}[${i}]`;
    const block = blockOf(raw, blockPath);
    const type = requiredString(block, 'type', `${blockPath}.type`);
    if (type === 'tool_use') toolCalls.push(toolUse(block, blockPath));
    else readPlainBlock(block, type, blockPath, options, content, false);
  });
  return message('assistant', content.parts, { toolCalls });
}

function blockOf(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw invalidType(path, 'an object', value);
  return value;
}

/**
 * A block that is neither a tool call nor a tool result: its text is kept, reasoning dropped, images and
 * documents attached where `attach` allows (and a budget is set), the rest refused.
 */
function readPlainBlock(
  block: JsonObject,
  type: string,
  path: string,
  options: BlockOptions,
  content: MessageContent,
  attach: boolean,
): void {
  if (type === 'text') {
    content.parts.push({ type: 'text', text: requiredString(block, 'text', `${path}.text`) });
    return;
  }
  if (ECHOED_REASONING.has(type)) return;
  const read = attach && options.attachments ? readAttachmentBlock(block, type, path, options.attachments) : null;
  if (read === null) refuseOrDrop(type, path, options);
  else if (Array.isArray(read)) content.parts.push(...read);
  else {
    content.parts.push(read.marker);
    content.attachments.push(read.attachment);
  }
}

/** `system`: text blocks only. */
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
  if (content == null) return message('tool', '', { toolCallId, isError });
  if (typeof content === 'string') return message('tool', content, { toolCallId, isError });
  if (!Array.isArray(content)) throw invalidType(contentPath, 'a string or an array of content blocks', content);
  const read: MessageContent = { parts: [], attachments: [] };
  content.forEach((raw: unknown, i) => {
    const blockPath = `${contentPath}[${i}]`;
    const inner = blockOf(raw, blockPath);
    readPlainBlock(inner, requiredString(inner, 'type', `${blockPath}.type`), blockPath, options, read, true);
  });
  return message('tool', read.parts, { toolCallId, isError, attachments: read.attachments });
}
