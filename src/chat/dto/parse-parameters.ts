import { ApiError } from '../../common/errors/api-error';
import {
  invalidType,
  invalidValue,
  JsonObject,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  tooLong,
} from '../../common/http/json-checks';
import type { SamplingParameters } from './chat-completion-request';
import { FIELD_LIMITS } from './field-limits';

/** What the generation parameters of a chat body come to (docs/api.md §1.2 lists every field). */
export interface GenerationParameters {
  maxTokens: number | null;
  maxCompletionTokens: number | null;
  stop: string[];
  /** `web_search_options` was sent: search on, as with a `-search` model. */
  webSearch: boolean;
  sampling: SamplingParameters;
}

/**
 * The fields beside `model` and `messages`: honoured ones read, knobs the web chat cannot apply checked
 * with OpenAI's ranges (a typo is still a 400) and otherwise left alone, and what we cannot give
 * (several choices, log probabilities, audio) refused with `unsupported_parameter`. Tool and
 * `response_format` fields are read elsewhere.
 */
export function parseGenerationParameters(body: JsonObject): GenerationParameters {
  checkUnsupported(body);
  const sampling = parseSampling(body);
  checkMeaningless(body);
  return {
    sampling,
    maxTokens: optionalInteger(body, 'max_tokens', 'max_tokens', 1),
    maxCompletionTokens: optionalInteger(body, 'max_completion_tokens', 'max_completion_tokens', 1),
    stop: parseStop(body.stop),
    webSearch: optionalObject(body, 'web_search_options', 'web_search_options') !== null,
  };
}

export function unsupported(param: string, message: string): ApiError {
  return ApiError.badRequest(message, param, 'unsupported_parameter');
}

function checkUnsupported(body: JsonObject): void {
  const n = optionalInteger(body, 'n', 'n', 1);
  if (n !== null && n > 1) {
    throw unsupported('n', `Unsupported value for 'n': only n=1 is supported (one choice per request), got ${n}.`);
  }
  if (optionalBoolean(body, 'logprobs', 'logprobs') === true) {
    throw unsupported(
      'logprobs',
      "Unsupported parameter: 'logprobs'. The DeepSeek web chat gives no log probabilities.",
    );
  }
  const modalities = body.modalities;
  if (modalities != null) {
    if (!Array.isArray(modalities)) throw invalidType('modalities', 'an array', modalities);
    modalities.forEach((modality: unknown, i) => {
      if (modality === 'audio') {
        throw unsupported('modalities', "Unsupported value for 'modalities': 'audio'. Only text output is supported.");
      }
      if (modality !== 'text') {
        throw invalidValue(`modalities[${i}]`, `Invalid 'modalities[${i}]': expected 'text' or 'audio'.`);
      }
    });
  }
  if (body.audio != null) {
    throw unsupported('audio', "Unsupported parameter: 'audio'. Only text output is supported.");
  }
}

/** Sampling knobs, checked with OpenAI's ranges: the official API applies them, the web chat has none. */
function parseSampling(body: JsonObject): SamplingParameters {
  const sampling = {
    temperature: numberIn(body, 'temperature', 0, 2),
    topP: numberIn(body, 'top_p', 0, 1),
    presencePenalty: numberIn(body, 'presence_penalty', -2, 2),
    frequencyPenalty: numberIn(body, 'frequency_penalty', -2, 2),
  };
  integerIn(body, 'top_logprobs', 0, 20);
  const seed = body.seed;
  if (seed != null && (typeof seed !== 'number' || !Number.isInteger(seed))) {
    throw invalidType('seed', 'an integer', seed);
  }
  const bias = optionalObject(body, 'logit_bias', 'logit_bias');
  if (bias) for (const token of Object.keys(bias)) integerIn(bias, token, -100, 100, 'logit_bias');
  return sampling;
}

/** Fields that mean nothing here (docs/api.md §1.2 says why), checked for their type only. */
function checkMeaningless(body: JsonObject): void {
  optionalString(body, 'user', 'user', FIELD_LIMITS.user);
  optionalString(body, 'safety_identifier', 'safety_identifier', FIELD_LIMITS.user);
  optionalString(body, 'prompt_cache_key', 'prompt_cache_key', FIELD_LIMITS.user);
  optionalString(body, 'service_tier', 'service_tier', FIELD_LIMITS.user);
  optionalString(body, 'verbosity', 'verbosity', FIELD_LIMITS.user);
  optionalBoolean(body, 'store', 'store');
  optionalObject(body, 'metadata', 'metadata');
  optionalObject(body, 'prediction', 'prediction');
}

function numberIn(object: JsonObject, key: string, min: number, max: number): number | null {
  const value = object[key];
  if (value == null) return null;
  if (typeof value !== 'number') throw invalidType(key, 'a number', value);
  checkRange(key, value, min, max, 'decimal');
  return value;
}

function integerIn(object: JsonObject, key: string, min: number, max: number, param = key): void {
  const value = object[key];
  if (value == null) return;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidType(param, 'an integer', value);
  checkRange(param, value, min, max, 'integer');
}

function checkRange(param: string, value: number, min: number, max: number, kind: 'decimal' | 'integer'): void {
  if (value < min) {
    throw invalidValue(
      param,
      `Invalid '${param}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      `${kind}_below_min_value`,
    );
  }
  if (value > max) {
    throw invalidValue(
      param,
      `Invalid '${param}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      `${kind}_above_max_value`,
    );
  }
}

/** A string or up to 4 strings, as OpenAI takes them; empty strings stop nothing and are left out. */
function parseStop(stop: unknown): string[] {
  if (stop == null) return [];
  if (typeof stop === 'string') {
    if (stop.length > FIELD_LIMITS.stopSequence) throw tooLong('stop', FIELD_LIMITS.stopSequence, stop.length);
    return stop ? [stop] : [];
  }
  if (!Array.isArray(stop)) throw invalidType('stop', 'a string or an array of strings', stop);
  if (stop.length > FIELD_LIMITS.stopSequences) {
    throw invalidValue(
      'stop',
      `Invalid 'stop': array too long. Expected an array with maximum length ${FIELD_LIMITS.stopSequences}, but got an array with length ${stop.length} instead.`,
      'array_above_max_length',
    );
  }
  const stops: string[] = [];
  stop.forEach((sequence: unknown, i) => {
    if (typeof sequence !== 'string') throw invalidType(`stop[${i}]`, 'a string', sequence);
    if (sequence.length > FIELD_LIMITS.stopSequence) {
      throw tooLong(`stop[${i}]`, FIELD_LIMITS.stopSequence, sequence.length);
    }
    if (sequence) stops.push(sequence);
  });
  return stops;
}
