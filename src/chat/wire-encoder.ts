import type { OperatorFunction } from 'rxjs';
import type { ApiError } from '../common/errors/api-error';
import type { ChatPlan } from './chat-plan';
import type { ChatEvent } from './events/chat-event';

/** The upstream answer an encoder names: each API derives its own ids from it. */
export interface AnswerRef {
  /** The model name as the client sent it. */
  model: string;
  sessionId: string;
  /** Null when the upstream never said (then an encoder makes a random id). */
  responseMessageId: number | null;
}

/**
 * One API's wire format over the one chat pipeline (OpenAI Chat Completions, Anthropic Messages, OpenAI
 * Responses): the ChatEvents of an answer become its JSON body or its SSE frames. Made per request, so
 * that per-stream state (sequence numbers, open blocks) lives in it.
 */
export interface WireEncoder<Body> {
  /**
   * Frames sent as soon as the stream is committed (a 200), before the account and the upstream answer
   * are there (e.g. the Responses API's `response.created`); none when absent.
   */
  preamble?(): string;
  /** The whole answer as one body (non-stream). */
  body(answer: AnswerRef): OperatorFunction<ChatEvent, Body>;
  /** The answer as SSE frame text, opening and closing frames included. */
  frames(answer: AnswerRef): OperatorFunction<ChatEvent, string>;
  /** The frame that reports a failure once the stream has started (pre-flight failures included). */
  errorFrame(error: ApiError): string;
  /** What fills quiet spells; an SSE comment when absent. */
  keepAliveFrame?(): string;
}

/** Makes a request's encoder once its plan is known. */
export type WireEncoderFactory<Body> = (plan: ChatPlan) => WireEncoder<Body>;
