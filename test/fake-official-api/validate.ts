import { ApiError } from './errors';
import type { ChatMessage } from './types';

export interface ToolDef {
  name: string;
  parameters?: Record<string, unknown>;
}

export type ToolChoice = 'none' | 'auto' | 'required' | { name: string };

/** A chat body that passed validation, with the fields the answer depends on. */
export interface ParsedChat {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | null;
  stop: string[];
  jsonObject: boolean;
  tools: ToolDef[];
  toolChoice: ToolChoice;
}

type Body = Record<string, unknown>;

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);

// The API deserialises bodies into a typed struct (serde): wrong types and missing fields are 422.
function invalid(field: string, reason: string): never {
  throw new ApiError(422, `Failed to deserialize the JSON body into the target type: ${field}: ${reason}`);
}

const isObject = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function optional(body: Body, field: string, check: (value: unknown) => boolean, expected: string): void {
  const value = body[field];
  if (value !== undefined && value !== null && !check(value)) invalid(field, `invalid type, expected ${expected}`);
}

function inRange(body: Body, field: string, min: number, max: number): void {
  optional(body, field, (v) => typeof v === 'number' && v >= min && v <= max, `a number in [${min}, ${max}]`);
}

export function parseJsonBody(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError(400);
  }
}

export function parseChat(value: unknown): ParsedChat {
  if (!isObject(value)) invalid('body', 'invalid type, expected a JSON object');
  const body = value;
  if (body.model === undefined) invalid('model', 'missing field `model`');
  if (typeof body.model !== 'string') invalid('model', 'invalid type, expected a string');
  if (body.messages === undefined) invalid('messages', 'missing field `messages`');
  if (!Array.isArray(body.messages)) invalid('messages', 'invalid type, expected a sequence');
  const messages = body.messages.map((m, i) => parseMessage(m, `messages[${i}]`));
  if (messages.length === 0) throw new ApiError(400, 'Empty input messages');

  optional(body, 'stream', (v) => typeof v === 'boolean', 'a boolean');
  optional(body, 'stream_options', isObject, 'an object');
  if (isObject(body.stream_options)) {
    optional(body.stream_options, 'include_usage', (v) => typeof v === 'boolean', 'a boolean');
  }
  optional(body, 'max_tokens', (v) => Number.isInteger(v) && (v as number) >= 1, 'a positive integer');
  optional(body, 'stop', (v) => typeof v === 'string' || isStringArray(v), 'a string or a sequence of strings');
  inRange(body, 'temperature', 0, 2);
  inRange(body, 'top_p', 0, 1);
  inRange(body, 'presence_penalty', -2, 2);
  inRange(body, 'frequency_penalty', -2, 2);
  optional(body, 'logprobs', (v) => typeof v === 'boolean', 'a boolean');
  optional(
    body,
    'top_logprobs',
    (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 20,
    'an integer in [0, 20]',
  );
  optional(body, 'reasoning_effort', (v) => typeof v === 'string', 'a string');
  optional(
    body,
    'thinking',
    (v) => isObject(v) && (v.type === 'enabled' || v.type === 'disabled'),
    '`enabled` or `disabled`',
  );
  optional(
    body,
    'response_format',
    (v) => isObject(v) && (v.type === 'text' || v.type === 'json_object'),
    '`text` or `json_object`',
  );
  const tools = parseTools(body.tools);
  const toolChoice = parseToolChoice(body.tool_choice, tools);
  const stop = typeof body.stop === 'string' ? [body.stop] : isStringArray(body.stop) ? body.stop : [];

  const jsonObject = isObject(body.response_format) && body.response_format.type === 'json_object';
  if (
    jsonObject &&
    !messages.some((m) =>
      JSON.stringify(m.content ?? '')
        .toLowerCase()
        .includes('json'),
    )
  ) {
    throw new ApiError(
      400,
      "Prompt must contain the word 'json' in some form to use 'response_format' of type 'json_object'.",
    );
  }
  return {
    model: body.model,
    messages,
    stream: body.stream === true,
    includeUsage: isObject(body.stream_options) && body.stream_options.include_usage === true,
    maxTokens: typeof body.max_tokens === 'number' ? body.max_tokens : null,
    stop: stop.filter((s) => s.length > 0),
    jsonObject,
    tools,
    toolChoice,
  };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((s) => typeof s === 'string');
}

function parseMessage(value: unknown, at: string): ChatMessage {
  if (!isObject(value)) invalid(at, 'invalid type, expected an object');
  if (typeof value.role !== 'string' || !ROLES.has(value.role)) {
    invalid(`${at}.role`, 'unknown variant, expected one of `system`, `user`, `assistant`, `tool`');
  }
  const content = value.content;
  const contentOk =
    typeof content === 'string' ||
    (Array.isArray(content) && content.every((p) => isObject(p) && typeof p.type === 'string')) ||
    ((content === null || content === undefined) && value.role === 'assistant');
  if (!contentOk) invalid(`${at}.content`, 'invalid type, expected a string or a sequence of parts');
  optional(value, 'name', (v) => typeof v === 'string', 'a string');
  optional(value, 'reasoning_content', (v) => typeof v === 'string', 'a string');
  if (value.role === 'tool' && typeof value.tool_call_id !== 'string') {
    invalid(`${at}.tool_call_id`, 'missing field `tool_call_id`');
  }
  optional(value, 'tool_calls', (v) => Array.isArray(v) && v.every(isToolCall), 'a sequence of function calls');
  return value as unknown as ChatMessage;
}

function isToolCall(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    value.type === 'function' &&
    isObject(value.function) &&
    typeof value.function.name === 'string' &&
    typeof value.function.arguments === 'string'
  );
}

function parseTools(value: unknown): ToolDef[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) invalid('tools', 'invalid type, expected a sequence');
  return value.map((tool, i) => {
    const fn = isObject(tool) ? tool.function : undefined;
    if (!isObject(tool) || tool.type !== 'function' || !isObject(fn) || typeof fn.name !== 'string') {
      invalid(`tools[${i}]`, 'expected {type: "function", function: {name, ...}}');
    }
    optional(fn, 'description', (v) => typeof v === 'string', 'a string');
    optional(fn, 'parameters', isObject, 'an object');
    optional(fn, 'strict', (v) => typeof v === 'boolean', 'a boolean');
    return { name: fn.name, parameters: isObject(fn.parameters) ? fn.parameters : undefined };
  });
}

function parseToolChoice(value: unknown, tools: ToolDef[]): ToolChoice {
  if (value === undefined || value === null) return 'auto';
  if (value === 'none' || value === 'auto' || value === 'required') return value;
  const fn = isObject(value) && value.type === 'function' ? value.function : undefined;
  if (!isObject(fn) || typeof fn.name !== 'string') {
    invalid('tool_choice', 'expected `none`, `auto`, `required` or {type: "function", function: {name}}');
  }
  if (!tools.some((t) => t.name === fn.name)) {
    throw new ApiError(400, `tool_choice names an undeclared function: ${fn.name}`);
  }
  return { name: fn.name };
}
