import type { IncomingMessage } from 'node:http';
import { Observable, type Subscriber } from 'rxjs';
import type { ChatEvent } from '../chat/events/chat-event';
import { computeUsage, TokenEstimator } from '../chat/usage';
import { SseFramer } from '../deepseek/stream/sse-framer';
import type { ApiKeyLease } from './api-key-pool';
import { OfficialApiError } from './official-api-error';
import type { OfficialStreamDecoder } from './official-stream-decoder';

export interface RelayOptions {
  /** No byte (keep-alive comments count) for this long, while the client reads, fails the answer. */
  idleTimeoutMs: number;
  /** Our estimate of the prompt, for a usage the API did not send. */
  promptTokens: number;
}

/**
 * One official API answer: its SSE body as ChatEvents, for one subscriber. The key is given back when the
 * body ends or fails, when the subscriber leaves (the socket is closed, which stops the generation), or
 * when the request is aborted before anyone subscribed. While paused (the client does not read) the body
 * is not read and the idle timer does not run.
 */
export class OfficialAnswerRelay {
  readonly events: Observable<ChatEvent>;
  private subscriber: Subscriber<ChatEvent> | null = null;
  private readonly framer = new SseFramer((_name, data) => this.onFrame(data));
  private readonly reasoning = new TokenEstimator();
  private readonly content = new TokenEstimator();
  private idle: NodeJS.Timeout | undefined;
  private paused = false;
  private ended = false;

  constructor(
    private readonly body: IncomingMessage,
    private readonly lease: ApiKeyLease,
    private readonly decoder: OfficialStreamDecoder,
    private readonly options: RelayOptions,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', this.closeUnread, { once: true });
    this.events = new Observable<ChatEvent>((subscriber) => {
      this.subscriber = subscriber;
      body.on('data', this.onData);
      body.once('end', this.onEnd);
      body.once('error', () =>
        this.fail(new OfficialApiError('network', 'The connection to the official API broke mid-answer.')),
      );
      body.once('close', () =>
        this.fail(new OfficialApiError('incomplete', 'The official API closed the answer before it finished.')),
      );
      this.arm();
      return () => {
        if (!this.ended) this.stop();
      };
    });
  }

  pause(): void {
    this.paused = true;
    clearTimeout(this.idle);
    this.body.pause();
  }

  resume(): void {
    this.paused = false;
    this.arm();
    this.body.resume();
  }

  private readonly closeUnread = () => {
    this.body.destroy();
    this.lease.release();
  };

  private readonly onData = (chunk: Buffer) => {
    this.arm();
    try {
      this.framer.write(chunk);
    } catch (error) {
      this.fail(error);
    }
  };

  private readonly onEnd = () => {
    if (this.ended) return;
    try {
      this.framer.end();
      const usage = () =>
        computeUsage({
          upstreamTotal: null,
          promptEstimate: this.options.promptTokens,
          reasoningEstimate: this.reasoning.tokens,
          answerEstimate: this.content.tokens,
        });
      this.decoder.end(usage).forEach((event) => this.emit(event));
    } catch (error) {
      this.fail(error);
      return;
    }
    this.stop();
    this.subscriber?.complete();
  };

  private onFrame(data: string): void {
    if (!this.ended) this.decoder.decode(data).forEach((event) => this.emit(event));
  }

  private emit(event: ChatEvent): void {
    if (event.type === 'reasoning') this.reasoning.add(event.text);
    else if (event.type === 'content') this.content.add(event.text);
    this.subscriber?.next(event);
  }

  private arm(): void {
    clearTimeout(this.idle);
    if (this.paused || this.ended) return;
    const { idleTimeoutMs } = this.options;
    this.idle = setTimeout(
      () => this.fail(new OfficialApiError('timeout', `The official API sent nothing for ${idleTimeoutMs} ms.`)),
      idleTimeoutMs,
    );
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.stop();
    this.subscriber?.error(error);
  }

  private stop(): void {
    this.ended = true;
    clearTimeout(this.idle);
    this.signal.removeEventListener('abort', this.closeUnread);
    this.body.off('data', this.onData);
    if (!this.body.complete) this.body.destroy();
    this.lease.release();
  }
}
