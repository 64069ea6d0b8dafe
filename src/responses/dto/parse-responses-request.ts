import { FIELD_LIMITS } from '../../chat/dto/field-limits';
import { unsupported } from '../../chat/dto/parse-parameters';
import { ApiError } from '../../common/errors/api-error';
import {
  invalidType,
  invalidValue,
  isObject,
  type JsonObject,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
} from '../../common/http/json-checks';
import { parseInput } from './parse-input-items';
import { parseResponsesTools } from './parse-responses-tools';
import { parseTextFormat } from './parse-text-format';
import type { ResponsesLimits, ResponsesRequest } from './responses-request';

/** Some Codex builds send no model: the default one answers. */
export const DEFAULT_RESPONSES_MODEL = 'deepseek-chat';
const MAX_METADATA_KEYS = 16;

/**
 * Checks and normalises a Responses body. Throws `ApiError` 400 with `param` = the field's path for
 * anything we cannot serve; unknown fields are ignored (clients send extras), and fields that mean
 * nothing here are checked for their type and left alone (docs/api.md §9.1).
 */
export function parseResponsesRequest(body: unknown, limits: ResponsesLimits): ResponsesRequest {
  if (!isObject(body)) throw ApiError.badRequest('The request body must be a JSON object.', null, 'invalid_type');
  checkUnsupported(body);
  checkMeaningless(body);
  const model = optionalString(body, 'model', 'model', FIELD_LIMITS.model) || DEFAULT_RESPONSES_MODEL;
  const instructions = optionalString(body, 'instructions', 'instructions');
  const input = parseInput(body.input, {
    maxItems: limits.maxMessages,
    dropUnsupportedParts: limits.dropUnsupportedParts === true,
    attachments: limits.attachments,
  });
  const tools = parseResponsesTools(body);
  const text = parseTextFormat(body);
  const reasoning = parseReasoning(body);
  const store = optionalBoolean(body, 'store', 'store') ?? true;
  const maxOutputTokens = optionalInteger(body, 'max_output_tokens', 'max_output_tokens', 1);
  const previousResponseId = optionalString(
    body,
    'previous_response_id',
    'previous_response_id',
    FIELD_LIMITS.toolCallId,
  );
  return {
    model,
    instructions,
    input: input.items,
    skippedItems: input.skipped,
    droppedPartTypes: [...input.droppedPartTypes],
    stream: optionalBoolean(body, 'stream', 'stream') ?? false,
    store,
    previousResponseId,
    tools: tools.request,
    responseFormat: text.format,
    thinking: reasoning.thinking,
    maxOutputTokens,
    echo: {
      instructions,
      model,
      tools: tools.echoed,
      tool_choice: tools.choice,
      parallel_tool_calls: tools.parallel,
      temperature: numberIn(body, 'temperature', 0, 2),
      top_p: numberIn(body, 'top_p', 0, 1),
      max_output_tokens: maxOutputTokens,
      previous_response_id: previousResponseId,
      metadata: parseMetadata(body),
      store,
      reasoning: reasoning.echoed,
      text: text.echoed,
    },
  };
}

function parseReasoning(body: JsonObject): {
  thinking: ResponsesRequest['thinking'];
  echoed: ResponsesRequest['echo']['reasoning'];
} {
  const reasoning = optionalObject(body, 'reasoning', 'reasoning');
  if (reasoning === null) return { thinking: null, echoed: null };
  const effort = optionalString(reasoning, 'effort', 'reasoning.effort', FIELD_LIMITS.reasoningEffort);
  const summary = optionalString(reasoning, 'summary', 'reasoning.summary', FIELD_LIMITS.reasoningEffort);
  const thinking = effort === null ? null : effort === 'none' || effort === 'minimal' ? 'disabled' : 'enabled';
  return { thinking, echoed: { effort, summary } };
}

function parseMetadata(body: JsonObject): Record<string, string> {
  const metadata = optionalObject(body, 'metadata', 'metadata');
  if (metadata === null) return {};
  const entries = Object.entries(metadata);
  if (entries.length > MAX_METADATA_KEYS) {
    throw invalidValue('metadata', `Invalid 'metadata': at most ${MAX_METADATA_KEYS} keys are allowed.`);
  }
  for (const [key, value] of entries) {
    if (typeof value !== 'string') throw invalidType(`metadata.${key.slice(0, 64)}`, 'a string', value);
  }
  return metadata as Record<string, string>;
}

/** What the web chat cannot do, refused rather than silently ignored. */
function checkUnsupported(body: JsonObject): void {
  if (optionalBoolean(body, 'background', 'background') === true) {
    throw unsupported('background', "Unsupported value for 'background': responses run in the foreground only.");
  }
  if (body.conversation != null) {
    throw unsupported('conversation', "Unsupported parameter: 'conversation'. Use 'previous_response_id' instead.");
  }
  if (body.prompt != null) {
    throw unsupported('prompt', "Unsupported parameter: 'prompt'. Stored prompt templates do not exist here.");
  }
}

/** Accepted and checked for their type; they change nothing here. */
function checkMeaningless(body: JsonObject): void {
  const include = body.include;
  if (include != null) {
    if (!Array.isArray(include)) throw invalidType('include', 'an array', include);
    include.forEach((entry: unknown, i) => {
      if (typeof entry !== 'string') throw invalidType(`include[${i}]`, 'a string', entry);
    });
  }
  optionalString(body, 'prompt_cache_key', 'prompt_cache_key');
  optionalString(body, 'user', 'user', FIELD_LIMITS.user);
  optionalString(body, 'safety_identifier', 'safety_identifier', FIELD_LIMITS.user);
  optionalString(body, 'service_tier', 'service_tier');
  optionalObject(body, 'client_metadata', 'client_metadata');
  const truncation = optionalString(body, 'truncation', 'truncation');
  if (truncation !== null && truncation !== 'auto' && truncation !== 'disabled') {
    throw invalidValue('truncation', "Invalid value for 'truncation'. Supported values are: 'auto' and 'disabled'.");
  }
}

/** Sampling knobs: the web chat has none, so they are checked and echoed, not applied. */
function numberIn(body: JsonObject, key: string, min: number, max: number): number | null {
  const value = body[key];
  if (value == null) return null;
  if (typeof value !== 'number') throw invalidType(key, 'a number', value);
  if (value < min || value > max) {
    throw invalidValue(key, `Invalid '${key}': expected a number between ${min} and ${max}, but got ${value} instead.`);
  }
  return value;
}
