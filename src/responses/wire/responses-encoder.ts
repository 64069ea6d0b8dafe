import { HttpStatus } from '@nestjs/common';
import { concatMap, defer, Observable, type OperatorFunction, reduce } from 'rxjs';
import type { ChatEvent } from '../../chat/events/chat-event';
import type { WireEncoder } from '../../chat/wire-encoder';
import type { ApiError } from '../../common/errors/api-error';
import { ResponseAssembler, type ResponseIdentity } from './response-assembler';
import type { ResponseEcho, ResponseObject, StreamEvent } from './responses-types';

export interface ResponsesEncoderOptions {
  identity: ResponseIdentity;
  echo: ResponseEcho;
  /**
   * Called once with the finished response (completed or incomplete), e.g. to store it. The body or the
   * closing frames wait for it: a client's next request, on any replica, finds what it stored.
   */
  onFinished?: (response: ResponseObject) => void | Promise<void>;
}

/**
 * OpenAI Responses: a `response` object, or `event: <type>` frames numbered from 0 that end with
 * `response.completed` (no `[DONE]`). One encoder per request: it holds the sequence counter and the
 * items so far, so that `response.failed` can carry them.
 */
export function responsesEncoder(options: ResponsesEncoderOptions): WireEncoder<ResponseObject> {
  let sequence = 0;
  let assembler: ResponseAssembler | null = null;
  const assemblerFor = (streaming: boolean) =>
    (assembler ??= new ResponseAssembler(options.identity, options.echo, streaming));
  // `sequence_number` goes last, as `{ ...event, sequence_number }` would put it, without that copy per delta.
  const frame = (event: StreamEvent): string => {
    const json = JSON.stringify(event);
    return `event: ${event.type}\ndata: ${json.slice(0, -1)},"sequence_number":${sequence++}}\n\n`;
  };
  const frames = (events: readonly StreamEvent[]): string => {
    let text = '';
    for (const event of events) text += frame(event);
    return text;
  };
  const finished = async (response: ResponseObject): Promise<ResponseObject> => {
    await options.onFinished?.(response);
    return response;
  };

  return {
    preamble: () => frames(assemblerFor(true).opening()),
    body: () => (events) =>
      defer(() => {
        const body = assemblerFor(false);
        return events.pipe(
          reduce((assembled, event) => {
            assembled.add(event);
            return assembled;
          }, body),
          concatMap((assembled) => finished(assembled.final())),
        );
      }),
    // One subscriber, not an operator chain: this runs once per upstream token.
    frames: (): OperatorFunction<ChatEvent, string> => (events) =>
      new Observable<string>((subscriber) => {
        const stream = assemblerFor(true);
        return events.subscribe({
          next: (event) => {
            const text = frames(stream.add(event));
            if (text !== '') subscriber.next(text);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            finished(stream.final()).then(
              () => {
                subscriber.next(frames(stream.closing()));
                subscriber.complete();
              },
              (error: unknown) => subscriber.error(error),
            );
          },
        });
      }),
    errorFrame: (error: ApiError) => {
      const { code, message } = failureOf(error);
      return frame(assemblerFor(true).failed(code, message));
    },
    keepAliveFrame: () => frame({ type: 'keepalive' }),
  };
}

/**
 * `response.error` as Codex reads it: `context_length_exceeded` is fatal, `rate_limit_exceeded` is retried
 * after the "try again in Ns" of its message, anything else retried.
 */
export function failureOf(error: ApiError): { code: string; message: string } {
  const status = error.getStatus();
  if (status === HttpStatus.TOO_MANY_REQUESTS) {
    const wait = error.retryAfterSec !== undefined ? Math.max(1, Math.ceil(error.retryAfterSec)) : null;
    const hint = wait !== null && !/try again in/i.test(error.message) ? ` Please try again in ${wait}s.` : '';
    return { code: 'rate_limit_exceeded', message: error.message + hint };
  }
  if (error.code === 'context_length_exceeded') return { code: error.code, message: error.message };
  return { code: error.code ?? (status >= 500 ? 'server_error' : 'invalid_request'), message: error.message };
}
