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
  optionalObject,
  optionalString,
} from '../../common/http/json-checks';
import { type PartPolicy, partPolicyFor } from './content-parts';
import { FIELD_LIMITS } from './field-limits';
import { parseMessage } from './parse-message';
import { parseGenerationParameters } from './parse-parameters';
import { parseResponseFormat } from '../structured-output/response-format';
import { parseToolRequest } from '../tools/tool-request';

/**
 * Checks and normalises a chat completion body. Throws `ApiError` 400 (`invalid_request_error`,
 * `param` = the field's path) for anything we cannot serve; unknown fields are ignored, never refused
 * (clients send vendor extras).
 * Safe on any JSON value: it only descends into the fields it reads.
 */
export function parseChatCompletionRequest(body: unknown, limits: RequestLimits): ChatCompletionRequest {
  if (!isObject(body)) throw ApiError.badRequest('The request body must be a JSON object.', null, 'invalid_type');
  const model = parseModel(body);
  const policy = partPolicyFor(limits);
  const messages = parseMessages(body, limits, policy);
  return {
    model,
    messages,
    stream: optionalBoolean(body, 'stream', 'stream') ?? false,
    includeUsage: parseIncludeUsage(body),
    ...parseGenerationParameters(body),
    reasoningEffort: optionalString(body, 'reasoning_effort', 'reasoning_effort', FIELD_LIMITS.reasoningEffort),
    thinking: parseThinking(body.thinking),
    conversation: parseConversation(body),
    droppedPartTypes: [...policy.dropped],
    tools: parseToolRequest(body),
    responseFormat: parseResponseFormat(body.response_format),
  };
}

function parseModel(body: JsonObject): string {
  const model = optionalString(body, 'model', 'model', FIELD_LIMITS.model);
  if (model === null) throw missing('model');
  if (model === '') throw invalidValue('model', "Invalid 'model': empty string. Expected a model name.");
  return model;
}

function parseMessages(body: JsonObject, limits: RequestLimits, policy: PartPolicy): ChatMessage[] {
  const { maxMessages } = limits;
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
  for (let i = 0; i < raw.length; i++) {
    messages.push(parseMessage(raw[i], `messages[${i}]`, policy));
  }
  return messages;
}

function parseIncludeUsage(body: JsonObject): boolean {
  const options = optionalObject(body, 'stream_options', 'stream_options');
  return options !== null && optionalBoolean(options, 'include_usage', 'stream_options.include_usage') === true;
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
