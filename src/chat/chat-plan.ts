import { createHash } from 'node:crypto';
import { ApiError } from '../common/errors/api-error';
import type { ConversationRef } from './conversation-id';
import type { Attachment } from '../attachments/attachment';
import type { ChatCompletionRequest, ChatMessage, RequestLimits } from './dto/chat-completion-request';
import type { TokenLimits } from './events/token-limit';
import { ModelFlags, resolveModel } from './models';
import { buildPrompt, messagesToSend } from './prompt';
import type { ResponseFormat } from './structured-output/response-format';
import {
  continuationPoint,
  ConversationFingerprint,
  type FingerprintScope,
} from './continuation/conversation-fingerprint';
import { buildToolPrompt, type ToolPrompt } from './tools/tool-prompt';
import type { ToolRequest } from './tools/tool-types';
import { estimateTokens } from './usage';

/** Everything the service needs to run one completion, decided before any upstream call. */
export interface ChatPlan extends ModelFlags {
  /** Echoed in every response and chunk. */
  model: string;
  stream: boolean;
  includeUsage: boolean;
  prompt: string;
  /** Local estimate of the prompt's tokens (usage fallback when the upstream sends no total). */
  promptTokens: number;
  /** Native continuation of an upstream session (`conversation_id`), or null for a new session. */
  continuation: ConversationRef | null;
  /** `stop` strings (none: empty). */
  stop: readonly string[];
  /** `max_tokens` / `max_completion_tokens`. */
  tokenLimits: TokenLimits;
  /** Content part types that were dropped, for a log note. */
  droppedPartTypes: readonly string[];
  /** The request's tools (docs/tool-calls.md), or null. */
  tools: ToolRequest | null;
  /** `response_format` asking for JSON, or null. */
  responseFormat: ResponseFormat | null;
  /** A digest of the injected tool declarations; null when none are injected. */
  toolPromptDigest: string | null;
  /**
   * For a continuation with tools: the prompt without the tool declarations, for a session whose history
   * holds the same ones already (`toolPromptDigest`); null otherwise.
   */
  promptForKnownTools: string | null;
  /** Native multi-turn without `conversation_id`; null when off, with `conversation_id`, or for `fold` models. */
  thread: ThreadPlan | null;
  /** The images and files of the messages `prompt` sends, in order: uploaded to the answering account. */
  attachments: readonly Attachment[];
}

/** How a request may continue an upstream chat it extends, and how its answer is found next turn. */
export interface ThreadPlan {
  /**
   * The exchange this request extends (its key), the prompt that sends only what follows it, and how many
   * of the plan's attachments that is (the last ones: what follows is the end of the history).
   */
  continues: { key: string; prompt: string; attachmentCount: number } | null;
  /** Every message of the request; the answer is added to it for the key of the next turn. */
  fingerprint: ConversationFingerprint;
}

export interface PlanOptions {
  /** The caller's credential, part of the conversation's identity (another key never continues it). */
  caller: string | null;
  /** Native multi-turn on (`CONVERSATION_REUSE`). */
  reuse: boolean;
}

export function buildChatPlan(
  request: ChatCompletionRequest,
  limits: RequestLimits,
  options: PlanOptions = { caller: null, reuse: false },
): ChatPlan {
  const continuation = request.conversation;
  const { messages, tools, responseFormat } = request;
  const toolPrompt = tools === null ? null : buildToolPrompt(tools);
  const prompt = buildPrompt(messages, { continuation: continuation !== null, tools, responseFormat, toolPrompt });
  const toolPromptDigest = toolPrompt === null ? null : digestOf(toolPrompt.system);
  const promptForKnownTools =
    continuation !== null && toolPrompt !== null
      ? buildPrompt(messages, { continuation: true, tools, responseFormat, toolsDeclared: true, toolPrompt })
      : null;
  const flags = resolveModel(request.model, { thinking: request.thinking, reasoningEffort: request.reasoningEffort });
  const thread =
    options.reuse && continuation === null && !flags.fold
      ? threadPlan(request, toolPrompt, { caller: options.caller, modelType: flags.modelType, toolPromptDigest })
      : null;
  // A history too long to send whole may still continue its chat; the service checks again if it cannot.
  if (thread?.continues == null) checkPrompt(prompt, continuation !== null, limits.maxPromptChars);
  else checkPrompt(thread.continues.prompt, true, limits.maxPromptChars);
  return {
    ...flags,
    search: flags.search || request.webSearch,
    model: request.model,
    stream: request.stream,
    includeUsage: request.includeUsage,
    prompt,
    promptTokens: estimateTokens(prompt),
    continuation,
    stop: request.stop,
    tokenLimits: { answer: request.maxTokens, completion: request.maxCompletionTokens },
    droppedPartTypes: request.droppedPartTypes,
    tools: request.tools,
    responseFormat,
    toolPromptDigest,
    promptForKnownTools,
    thread,
    attachments: attachmentsOf(messagesToSend(messages, continuation !== null)),
  };
}

function attachmentsOf(messages: readonly ChatMessage[]): Attachment[] {
  return messages.flatMap((message) => message.attachments);
}

function threadPlan(
  request: ChatCompletionRequest,
  toolPrompt: ToolPrompt | null,
  scope: FingerprintScope,
): ThreadPlan {
  const { messages, tools, responseFormat } = request;
  const point = continuationPoint(scope, messages);
  const continues = point && {
    key: point.key,
    prompt: buildPrompt(messages, { continuation: true, tools, responseFormat, toolsDeclared: true, toolPrompt }),
    attachmentCount: attachmentsOf(messagesToSend(messages, true)).length,
  };
  return { continues, fingerprint: ConversationFingerprint.of(scope, messages) };
}

/** The full prompt must fit when a new session is started after all (`checkPrompt`'s 400 otherwise). */
export function checkNewSessionPrompt(plan: ChatPlan, limits: RequestLimits): void {
  checkPrompt(plan.prompt, false, limits.maxPromptChars);
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

function checkPrompt(prompt: string, continuation: boolean, maxPromptChars: number): void {
  if (prompt.length > maxPromptChars) {
    throw ApiError.badRequest(
      `This model's maximum context length is ${maxPromptChars} characters. However, your messages resulted in ${prompt.length} characters. Please reduce the length of the messages.`,
      'messages',
      'context_length_exceeded',
    );
  }
  if (prompt.length === 0) {
    throw ApiError.badRequest(
      continuation
        ? 'With conversation_id, messages must hold the new turn after the last assistant message; there is none.'
        : 'The messages hold no text to send.',
      'messages',
      'invalid_value',
    );
  }
}
