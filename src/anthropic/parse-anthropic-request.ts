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
} from '../common/http/json-checks';
import { ApiError } from '../common/errors/api-error';
import { type ModelAlias, resolveAlias } from '../config/model-aliases';
import type {
  ChatCompletionRequest,
  ChatMessage,
  RequestLimits,
  SamplingParameters,
} from '../chat/dto/chat-completion-request';
import { partPolicyFor } from '../chat/dto/content-parts';
import { FIELD_LIMITS } from '../chat/dto/field-limits';
import { type BlockOptions, parseAnthropicMessage, parseSystem } from './parse-anthropic-messages';
import { parseAnthropicTools } from './parse-anthropic-tools';

export interface AnthropicRequestLimits extends RequestLimits {
  modelAliases: readonly ModelAlias[];
}

/** A checked Messages body: the neutral request for the chat pipeline, and what only this API needs. */
export interface AnthropicRequest {
  /** `model` is the name the alias table gives (our model), so the pipeline picks its mode from it. */
  chat: ChatCompletionRequest;
  /** The model name as the client sent it: every response echoes it. */
  clientModel: string;
  /** How many server tools were left out, for a log note. */
  skippedTools: number;
}

/**
 * Checks an Anthropic Messages body field by field (400 with `param` = the field's path) and maps it onto
 * the chat request. `temperature`, `top_p` and `top_k` are checked and not applied (the web chat has no
 * such knobs); `metadata`, `cache_control` and unknown keys are ignored.
 */
export function parseAnthropicRequest(
  body: unknown,
  limits: AnthropicRequestLimits,
  purpose: 'generate' | 'count' = 'generate',
): AnthropicRequest {
  if (!isObject(body)) throw ApiError.badRequest('The request body must be a JSON object.', null, 'invalid_type');
  const clientModel = parseModel(body);
  const maxTokens = optionalInteger(body, 'max_tokens', 'max_tokens', 1);
  // Counting tokens takes the same body without `max_tokens`.
  if (maxTokens === null && purpose === 'generate') throw missing('max_tokens');
  const sampling = parseSampling(body);
  optionalObject(body, 'metadata', 'metadata');
  const options: BlockOptions = partPolicyFor(limits);
  const system = parseSystem(body.system, options);
  const messages = parseMessages(body, limits, options);
  const tools = parseAnthropicTools(body);
  const chat: ChatCompletionRequest = {
    model: resolveAlias(clientModel, limits.modelAliases),
    messages: system ? [system, ...messages] : messages,
    stream: optionalBoolean(body, 'stream', 'stream') ?? false,
    includeUsage: true,
    maxTokens,
    maxCompletionTokens: null,
    stop: parseStopSequences(body.stop_sequences),
    webSearch: false,
    reasoningEffort: null,
    thinking: parseThinking(body),
    conversation: null,
    droppedPartTypes: [...options.dropped],
    tools: tools.request,
    responseFormat: null,
    sampling,
  };
  return { chat, clientModel, skippedTools: tools.skipped };
}

function parseModel(body: JsonObject): string {
  const model = optionalString(body, 'model', 'model', FIELD_LIMITS.model);
  if (model === null) throw missing('model');
  if (model === '') throw invalidValue('model', "Invalid 'model': empty string. Expected a model name.");
  return model;
}

function parseMessages(body: JsonObject, limits: RequestLimits, options: BlockOptions): ChatMessage[] {
  const raw = body.messages;
  if (raw == null) throw missing('messages');
  if (!Array.isArray(raw)) throw invalidType('messages', 'an array', raw);
  if (raw.length === 0) {
    throw invalidValue('messages', "Invalid 'messages': empty array. Expected at least one message.", 'empty_array');
  }
  if (raw.length > limits.maxMessages) {
    throw invalidValue(
      'messages',
      `Invalid 'messages': array too long. Expected at most ${limits.maxMessages} messages, but got ${raw.length}.`,
      'array_above_max_length',
    );
  }
  return raw.flatMap((message: unknown, i) => parseAnthropicMessage(message, `messages[${i}]`, options));
}

/** `enabled` and `adaptive` turn thinking on, `disabled` off; absent: the model name decides. */
function parseThinking(body: JsonObject): ChatCompletionRequest['thinking'] {
  const thinking = optionalObject(body, 'thinking', 'thinking');
  if (thinking === null) return null;
  const type = optionalString(thinking, 'type', 'thinking.type');
  optionalInteger(thinking, 'budget_tokens', 'thinking.budget_tokens', 0);
  switch (type) {
    case 'enabled':
    case 'adaptive':
      return 'enabled';
    case 'disabled':
      return 'disabled';
    default:
      throw invalidValue(
        'thinking.type',
        "Invalid value for 'thinking.type'. Supported values are: 'enabled', 'adaptive' and 'disabled'.",
      );
  }
}

/** Applied by the official API (`top_k` has no equivalent there); the web chat has no such knobs. */
function parseSampling(body: JsonObject): SamplingParameters {
  optionalInteger(body, 'top_k', 'top_k', 0);
  return {
    temperature: numberIn(body, 'temperature', 0, 1),
    topP: numberIn(body, 'top_p', 0, 1),
    presencePenalty: null,
    frequencyPenalty: null,
  };
}

function numberIn(body: JsonObject, key: string, min: number, max: number): number | null {
  const value = body[key];
  if (value == null) return null;
  if (typeof value !== 'number') throw invalidType(key, 'a number', value);
  if (value < min || value > max) {
    throw invalidValue(key, `Invalid '${key}': expected a number from ${min} to ${max}, but got ${value} instead.`);
  }
  return value;
}

/**
 * Anthropic sets no number; every stop string is searched on each delta, so a list is bounded (more
 * than OpenAI's 4, which Anthropic clients do not expect).
 */
const MAX_STOP_SEQUENCES = 16;

function parseStopSequences(value: unknown): string[] {
  if (value == null) return [];
  if (!Array.isArray(value)) throw invalidType('stop_sequences', 'an array of strings', value);
  if (value.length > MAX_STOP_SEQUENCES) {
    throw invalidValue(
      'stop_sequences',
      `Invalid 'stop_sequences': array too long. Expected at most ${MAX_STOP_SEQUENCES} strings, but got ${value.length}.`,
      'array_above_max_length',
    );
  }
  const stops: string[] = [];
  value.forEach((stop: unknown, i) => {
    const param = `stop_sequences[${i}]`;
    if (typeof stop !== 'string') throw invalidType(param, 'a string', stop);
    if (stop.length > FIELD_LIMITS.stopSequence) throw tooLong(param, FIELD_LIMITS.stopSequence, stop.length);
    if (stop) stops.push(stop);
  });
  return stops;
}
