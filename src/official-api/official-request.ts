import type { ChatCompletionRequest, ChatMessage } from '../chat/dto/chat-completion-request';
import { contentText } from '../chat/prompt';
import { structuredOutputInstructions } from '../chat/structured-output/structured-output-prompt';
import type { DeclaredTool, ToolRequest } from '../chat/tools/tool-types';
import type { ApiModelChoice } from './api-models';

/** The body of `POST /chat/completions` on the official API, as far as we send it. */
export interface OfficialChatRequest {
  model: string;
  messages: OfficialMessage[];
  stream: true;
  stream_options: { include_usage: true };
  thinking?: { type: 'enabled' | 'disabled' };
  reasoning_effort?: string;
  max_tokens?: number;
  stop?: string[];
  temperature?: number;
  top_p?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  response_format?: { type: 'json_object' };
  tools?: OfficialTool[];
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };
}

export type OfficialMessage =
  | { role: 'system' | 'user'; content: string; name?: string }
  | {
      role: 'assistant';
      content: string | null;
      reasoning_content?: string;
      tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
    }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface OfficialTool {
  type: 'function';
  function: { name: string; description?: string; parameters: object };
}

/** A custom tool (free text, e.g. Codex's `apply_patch`) is offered as a function of one string, `input`. */
const CUSTOM_TOOL_PARAMETERS = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw text input of the tool.' } },
  required: ['input'],
};

/**
 * The request as the official API takes it: the client's own messages, tools, `response_format`, `stop`,
 * `max_tokens` and sampling fields, natively; nothing emulated. Always streamed, with usage: one decoder
 * serves both kinds of client answer, and the keep-alives of a busy API keep the idle timer quiet.
 */
export function toOfficialRequest(request: ChatCompletionRequest, choice: ApiModelChoice): OfficialChatRequest {
  const body: OfficialChatRequest = {
    model: choice.model,
    messages: officialMessages(request),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (choice.thinking !== null) body.thinking = { type: choice.thinking };
  if (choice.thinking === 'enabled' && request.reasoningEffort !== null && request.reasoningEffort !== 'none') {
    body.reasoning_effort = request.reasoningEffort;
  }
  const limits = [request.maxTokens, request.maxCompletionTokens].filter((limit): limit is number => limit !== null);
  if (limits.length > 0) body.max_tokens = Math.min(...limits);
  if (request.stop.length > 0) body.stop = request.stop;
  const { sampling } = request;
  if (sampling?.temperature != null) body.temperature = sampling.temperature;
  if (sampling?.topP != null) body.top_p = sampling.topP;
  if (sampling?.presencePenalty != null) body.presence_penalty = sampling.presencePenalty;
  if (sampling?.frequencyPenalty != null) body.frequency_penalty = sampling.frequencyPenalty;
  if (request.responseFormat) body.response_format = { type: 'json_object' };
  if (request.tools) {
    body.tools = request.tools.tools.map(officialTool);
    body.tool_choice = officialToolChoice(request.tools);
  }
  return body;
}

function officialMessages({ messages, responseFormat }: ChatCompletionRequest): OfficialMessage[] {
  const out = messages.map(officialMessage);
  // The API's JSON mode wants the word "json" in the prompt and knows no schema: both go in a system turn.
  if (responseFormat) out.push({ role: 'system', content: structuredOutputInstructions(responseFormat) });
  return out;
}

function officialMessage(message: ChatMessage, index: number): OfficialMessage {
  const text = contentText(message.content);
  switch (message.role) {
    case 'system':
    case 'developer':
    case 'user':
      return {
        role: message.role === 'user' ? 'user' : 'system',
        content: text,
        ...(message.name !== null ? { name: message.name } : {}),
      };
    case 'assistant':
      return {
        role: 'assistant',
        content: text === '' && message.toolCalls.length > 0 ? null : text,
        ...(message.reasoningContent !== null ? { reasoning_content: message.reasoningContent } : {}),
        ...(message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call, i) => ({
                id: call.id ?? legacyCallId(index, i),
                type: 'function' as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : {}),
      };
    case 'tool':
    case 'function':
      return {
        role: 'tool',
        tool_call_id: message.toolCallId ?? legacyCallId(index - 1, 0),
        content: message.isError ? `Error: ${text}` : text,
      };
  }
}

/** A legacy `function_call` has no id: the call and its `function` result are paired by position. */
function legacyCallId(messageIndex: number, callIndex: number): string {
  return `call_${messageIndex}_${callIndex}`;
}

function officialTool(tool: DeclaredTool): OfficialTool {
  const parameters =
    tool.kind === 'custom' ? CUSTOM_TOOL_PARAMETERS : (tool.parameters ?? { type: 'object', properties: {} });
  return {
    type: 'function',
    function: { name: tool.name, ...(tool.description !== null ? { description: tool.description } : {}), parameters },
  };
}

function officialToolChoice({ choice }: ToolRequest): OfficialChatRequest['tool_choice'] {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}
