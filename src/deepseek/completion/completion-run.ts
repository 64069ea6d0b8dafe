import type { UpstreamCompletion } from '../deepseek.client';
import { streamError } from '../http/envelope';
import { StreamBody, toUpstreamError, UpstreamTransport } from '../http/upstream-transport';
import { CONTINUABLE_STATUSES, DeepSeekEvent, TERMINAL_STATUSES } from '../stream/deepseek-event';
import { UpstreamStreamParser } from '../stream/upstream-stream-parser';
import { UpstreamError } from '../upstream-error';
import { EventRelay } from './event-relay';

export interface CompletionRunSettings {
  maxContinueRounds: number;
  firstByteTimeoutMs: number;
  /** How long to keep reading after the terminal status, for `close` (§7.7). */
  closeGraceMs: number;
}

export interface CompletionTarget {
  token: string;
  sessionId: string;
  powHeader: string;
}

/** Events that prove the upstream accepted the message: from here on, bytes may reach our client. */
const isDecisive = (event: DeepSeekEvent): boolean =>
  event.type === 'reasoning' ||
  event.type === 'content' ||
  event.type === 'template' ||
  event.type === 'search' ||
  (event.type === 'status' && TERMINAL_STATUSES.has(event.status));

/**
 * One generation: the completion stream, then as many `chat/continue` rounds as an INCOMPLETE answer
 * needs, relayed as one event sequence. Everything runs synchronously inside the body's `data`
 * callback: no queue, no promise per event.
 */
export class CompletionRun {
  private phase: 'preflight' | 'live' | 'done' = 'preflight';
  private readonly parser = new UpstreamStreamParser((event) => this.onEvent(event));
  private readonly relay = new EventRelay<DeepSeekEvent>(() => this.terminate(null));
  private body: StreamBody | null = null;
  private bodyEnded = false;
  private continueRounds = 0;
  private pendingContinue = false;
  private requestMessageId: number | null = null;
  private responseMessageId: number | null = null;
  private resolveStart!: (completion: UpstreamCompletion) => void;
  private rejectStart!: (error: unknown) => void;
  private firstEventTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly transport: UpstreamTransport,
    private readonly settings: CompletionRunSettings,
    private readonly target: CompletionTarget,
    private readonly abort: AbortController,
    private readonly stopStream: (messageId: number) => void,
  ) {}

  /** Sends the completion; resolves at the first decisive event, rejects on any refusal before it. */
  start(request: object): Promise<UpstreamCompletion> {
    const started = new Promise<UpstreamCompletion>((resolve, reject) => {
      this.resolveStart = resolve;
      this.rejectStart = reject;
    });
    const timeoutMs = this.settings.firstByteTimeoutMs;
    this.firstEventTimer = setTimeout(
      () =>
        this.terminate(
          new UpstreamError('timeout', `completion: no answer within ${timeoutMs} ms`, { endpoint: 'completion' }),
        ),
      timeoutMs,
    ).unref();
    this.abort.signal.addEventListener('abort', this.onAbort, { once: true });
    void this.openRound('chat/completion', request);
    return started;
  }

  private async openRound(endpoint: string, request: object): Promise<void> {
    try {
      const { body } = await this.transport.stream(
        endpoint,
        this.target.token,
        request,
        { 'x-ds-pow-response': this.target.powHeader },
        this.abort.signal,
      );
      if (this.phase === 'done') body.destroy();
      else this.attach(endpoint, body);
    } catch (error) {
      this.terminate(error);
    }
  }

  private attach(endpoint: string, body: StreamBody): void {
    this.body = body;
    this.bodyEnded = false;
    body.on('data', (chunk: Buffer) => this.parser.write(chunk));
    body.on('end', () => {
      this.parser.end();
      this.onBodyEnd(body);
    });
    body.on('error', (error: Error) => {
      if (this.body === body && !this.bodyEnded) this.terminate(toUpstreamError(endpoint, error, this.abort.signal));
    });
  }

  private onEvent(event: DeepSeekEvent): void {
    if (this.phase === 'done') return;
    switch (event.type) {
      case 'ids':
        this.requestMessageId ??= event.requestMessageId;
        this.responseMessageId ??= event.responseMessageId;
        return;
      case 'error':
        this.terminate(
          streamError(this.continueRounds > 0 ? 'continue' : 'completion', event.message, event.finishReason),
        );
        return;
      case 'close':
        if (this.body) this.onBodyEnd(this.body);
        return;
      case 'status':
        if (TERMINAL_STATUSES.has(event.status)) {
          this.onTerminalStatus(event.status);
          return;
        }
        break;
      default:
        break;
    }
    this.deliver(event);
  }

  private onTerminalStatus(status: string): void {
    if (status === 'CONTEXT_LENGTH_EXCEEDED') {
      this.terminate(
        new UpstreamError('context_length', 'completion: the conversation is too long for DeepSeek', {
          endpoint: 'completion',
        }),
      );
    } else if (
      CONTINUABLE_STATUSES.has(status) &&
      this.continueRounds < this.settings.maxContinueRounds &&
      this.responseMessageId !== null
    ) {
      this.pendingContinue = true;
      const body = this.body;
      this.graceTimer = setTimeout(() => body && this.onBodyEnd(body), this.settings.closeGraceMs).unref();
    } else {
      this.deliver({ type: 'status', status });
      this.finish();
    }
  }

  private onBodyEnd(body: StreamBody): void {
    if (body !== this.body || this.bodyEnded) return;
    this.bodyEnded = true;
    this.clearTimers();
    if (this.phase === 'done') return;
    if (!this.pendingContinue) {
      this.terminate(
        new UpstreamError('bad_response', 'the upstream stream ended before the message was finished', {
          endpoint: 'completion',
        }),
      );
      return;
    }
    this.pendingContinue = false;
    this.continueRounds++;
    body.destroy();
    this.parser.beginContinueRound();
    void this.openRound('chat/continue', {
      chat_session_id: this.target.sessionId,
      message_id: this.responseMessageId,
      fallback_to_resume: true,
    });
  }

  private deliver(event: DeepSeekEvent): void {
    this.relay.next(event);
    if (this.phase === 'preflight' && isDecisive(event)) {
      this.phase = 'live';
      this.clearTimers();
      this.resolveStart({
        sessionId: this.target.sessionId,
        requestMessageId: this.requestMessageId,
        responseMessageId: this.responseMessageId,
        events: this.relay.observable,
      });
    }
  }

  /** The terminal status arrived: our consumer is done; the body may still carry `title`/`close`. */
  private finish(): void {
    this.phase = 'done';
    this.clearTimers();
    this.abort.signal.removeEventListener('abort', this.onAbort);
    this.relay.complete();
    const body = this.body;
    if (body && !this.bodyEnded) {
      const drain = setTimeout(() => body.destroy(), this.settings.closeGraceMs).unref();
      body.once('close', () => clearTimeout(drain));
    }
  }

  /**
   * Ends the run early: on an error (reported to whoever waits), or with `null` when our consumer
   * left. Either way the upstream is cut and asked to stop the message so the account frees up.
   */
  private terminate(error: unknown): void {
    if (this.phase === 'done') return;
    const wasPreflight = this.phase === 'preflight';
    this.phase = 'done';
    this.clearTimers();
    this.abort.signal.removeEventListener('abort', this.onAbort);
    this.body?.destroy();
    if (!this.abort.signal.aborted) this.abort.abort();
    if (this.responseMessageId !== null) this.stopStream(this.responseMessageId);
    if (error === null) return;
    if (wasPreflight) this.rejectStart(error);
    else this.relay.error(error);
  }

  private readonly onAbort = (): void => this.terminate(this.abort.signal.reason ?? new Error('aborted'));

  private clearTimers(): void {
    if (this.firstEventTimer) clearTimeout(this.firstEventTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.firstEventTimer = null;
    this.graceTimer = null;
  }
}
