import { ApiError } from '../../common/errors/api-error';
import { ConversationRef, parseConversationId } from '../conversation-id';
import { ChatCompletionRequest, ChatMessage, RequestLimits } from './chat-completion-request';
import {
  invalidType,
  invalidValue,
  isObject,
  JsonObject,
  missing,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  tooLong,
} from '../../common/http/json-checks';
import { FIELD_LIMITS } from './field-limits';
import { parseMessage } from './parse-message';
import { parseToolRequest } from '../tools/tool-request';

/**
 * Checks and normalises a chat completion body. Throws `ApiError` 400 (`invalid_request_error`,
 * `param` = the field's path) for anything we cannot serve; every other field, known or not, is ignored.
 * Safe on any JSON value: it only descends into the fields it reads.
 */
export function parseChatCompletionRequest(body: unknown, limits: RequestLimits): ChatCompletionRequest {
  if (!isObject(body)) throw ApiError.badRequest('The request body must be a JSON object.', null, 'invalid_type');
  const model = parseModel(body);
  const dropped = new Set<string>();
  const messages = parseMessages(body, limits.maxMessages, dropped);
  checkChoiceCount(body);
  checkUnusedStrings(body);
  return {
    model,
    messages,
    stream: optionalBoolean(body, 'stream', 'stream') ?? false,
    includeUsage: parseIncludeUsage(body),
    maxTokens: parseMaxTokens(body),
    reasoningEffort: optionalString(body, 'reasoning_effort', 'reasoning_effort', FIELD_LIMITS.reasoningEffort),
    thinking: parseThinking(body.thinking),
    conversation: parseConversation(body),
    droppedPartTypes: [...dropped],
    tools: parseToolRequest(body),
  };
}

function parseModel(body: JsonObject): string {
  const model = optionalString(body, 'model', 'model', FIELD_LIMITS.model);
  if (model === null) throw missing('model');
  if (model === '') throw invalidValue('model', "Invalid 'model': empty string. Expected a model name.");
  return model;
}

function parseMessages(body: JsonObject, maxMessages: number, dropped: Set<string>): ChatMessage[] {
  const raw = body.messages;
  if (raw == null) throw missing('messages');
  if (!Array.isArray(raw)) throw invalidType('messages', 'an array', raw);
  if (raw.length === 0) {
    throw invalidValue(
      'messages',
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'empty_array',
    );
  }
  if (raw.length > maxMessages) {
    throw invalidValue(
      'messages',
      `Invalid 'messages': array too long. Expected an array with maximum length ${maxMessages}, but got an array with length ${raw.length} instead.`,
      'array_above_max_length',
    );
  }
  const messages: ChatMessage[] = [];
  for (let i = 0; i < raw.length; i++) messages.push(parseMessage(raw[i], `messages[${i}]`, dropped));
  return messages;
}

function checkChoiceCount(body: JsonObject): void {
  const n = optionalInteger(body, 'n', 'n', 1);
  if (n !== null && n > 1) {
    throw invalidValue('n', `Invalid 'n': only n=1 is supported (one choice per request), but got ${n}.`);
  }
}

/** Fields we do not act on, but whose type and size OpenAI checks too: junk there is a client bug worth a 400. */
function checkUnusedStrings(body: JsonObject): void {
  optionalString(body, 'user', 'user', FIELD_LIMITS.user);
  const stop = body.stop;
  if (stop == null || typeof stop === 'string') {
    optionalString(body, 'stop', 'stop', FIELD_LIMITS.stopSequence);
    return;
  }
  if (!Array.isArray(stop)) throw invalidType('stop', 'a string or an array of strings', stop);
  if (stop.length > FIELD_LIMITS.stopSequences) {
    throw invalidValue(
      'stop',
      `Invalid 'stop': array too long. Expected an array with maximum length ${FIELD_LIMITS.stopSequences}, but got an array with length ${stop.length} instead.`,
      'array_above_max_length',
    );
  }
  stop.forEach((sequence: unknown, i) => {
    if (typeof sequence !== 'string') throw invalidType(`stop[${i}]`, 'a string', sequence);
    if (sequence.length > FIELD_LIMITS.stopSequence) {
      throw tooLong(`stop[${i}]`, FIELD_LIMITS.stopSequence, sequence.length);
    }
  });
}

function parseIncludeUsage(body: JsonObject): boolean {
  const options = optionalObject(body, 'stream_options', 'stream_options');
  return options !== null && optionalBoolean(options, 'include_usage', 'stream_options.include_usage') === true;
}

function parseMaxTokens(body: JsonObject): number | null {
  const completion = optionalInteger(body, 'max_completion_tokens', 'max_completion_tokens', 1);
  const legacy = optionalInteger(body, 'max_tokens', 'max_tokens', 1);
  return completion ?? legacy;
}

function parseThinking(value: unknown): ChatCompletionRequest['thinking'] {
  if (value == null) return null;
  if (typeof value === 'boolean') return value ? 'enabled' : 'disabled';
  if (!isObject(value)) throw invalidType('thinking', 'an object', value);
  const type = optionalString(value, 'type', 'thinking.type');
  return type === 'enabled' || type === 'disabled' ? type : null;
}

function parseConversation(body: JsonObject): ConversationRef | null {
  const id = optionalString(body, 'conversation_id', 'conversation_id', FIELD_LIMITS.conversationId);
  if (id === null) return null;
  const conversation = parseConversationId(id);
  if (!conversation) {
    throw invalidValue(
      'conversation_id',
      "Invalid 'conversation_id': expected '<chat_session_id>@<message_id>', the id of an earlier response.",
    );
  }
  return conversation;
}
