import { settlesWithin } from '../../common/lifecycle/settles-within';
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

/** Terminal statuses that end the message without an answer to give (docs/api.md §4.3 lists them). */
function refusalOf(status: string, producedText: boolean): UpstreamError | undefined {
  const details = { endpoint: 'completion', upstreamMessage: status };
  switch (status) {
    case 'CONTEXT_LENGTH_EXCEEDED':
    case 'CONTENT_TOO_LONG':
      return new UpstreamError('context_length', 'completion: the conversation is too long for DeepSeek', details);
    case 'CONTENT_EMPTY':
      return new UpstreamError('empty', 'completion: DeepSeek produced an empty answer', details);
    case 'CANCELLED':
      // Cancelled after some text: what came is the answer. Before any: nothing to give.
      return producedText
        ? undefined
        : new UpstreamError('bad_response', 'completion: DeepSeek cancelled the message', details);
    default:
      return undefined;
  }
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
  // The events carry the text; keeping it too would make memory per stream grow with the answer.
  private readonly parser = new UpstreamStreamParser((event) => this.onEvent(event), { keepText: false });
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
  private producedText = false;
  private paused = false;
  private closeSaysRetry = false;
  private markClosed!: () => void;
  /** Resolves once the upstream is done with the account: its body closed, or it was told to stop. Never rejects. */
  private readonly closed = new Promise<void>((resolve) => (this.markClosed = resolve));

  constructor(
    private readonly transport: UpstreamTransport,
    private readonly settings: CompletionRunSettings,
    private readonly target: CompletionTarget,
    private readonly abort: AbortController,
    private readonly stopStream: (messageId: number) => Promise<void>,
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
    if (this.paused) body.pause();
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
        this.closeSaysRetry = event.retry === true;
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
    const refusal = refusalOf(status, this.producedText);
    if (refusal) {
      this.finish(refusal);
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
      const why = this.closeSaysRetry ? ' (DeepSeek marked it as failed)' : '';
      this.terminate(
        new UpstreamError('bad_response', `the upstream stream ended before the message was finished${why}`, {
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
    if ((event.type === 'content' || event.type === 'reasoning' || event.type === 'template') && event.text) {
      this.producedText = true;
    }
    this.relay.next(event);
    if (this.phase === 'preflight' && isDecisive(event)) {
      this.phase = 'live';
      this.clearTimers();
      this.resolveStart({
        sessionId: this.target.sessionId,
        requestMessageId: this.requestMessageId,
        responseMessageId: this.responseMessageId,
        events: this.relay.observable,
        closed: this.closed,
        pause: () => this.setPaused(true),
        resume: () => this.setPaused(false),
      });
    }
  }

  /**
   * The terminal status arrived: our consumer is done (with `error` when the status is a refusal). The
   * body may still carry `update_session`, `title` and `close`, and until it ends DeepSeek counts the
   * account as generating; after `closeGraceMs` we stop waiting and cut it.
   */
  private finish(error?: unknown): void {
    if (this.phase === 'done') return;
    const wasPreflight = this.phase === 'preflight';
    this.phase = 'done';
    this.clearTimers();
    this.abort.signal.removeEventListener('abort', this.onAbort);
    const body = this.body;
    if (!body || this.bodyEnded || body.closed) {
      this.markClosed();
    } else {
      // What is left (title, close) goes nowhere: read it whatever our client's pace.
      body.resume();
      const cut = setTimeout(() => body.destroy(), this.settings.closeGraceMs).unref();
      body.once('close', () => {
        clearTimeout(cut);
        this.markClosed();
      });
    }
    if (error === undefined) this.relay.complete();
    else this.report(error, wasPreflight);
  }

  /**
   * Ends the run early: on an error (reported to whoever waits), or with `null` when our consumer
   * left. Either way the upstream is cut and asked to stop the message so the account frees up; the
   * run counts as closed once that request settled (bounded by `closeGraceMs`).
   */
  private terminate(error: unknown): void {
    if (this.phase === 'done') return;
    const wasPreflight = this.phase === 'preflight';
    this.phase = 'done';
    this.clearTimers();
    this.abort.signal.removeEventListener('abort', this.onAbort);
    this.body?.destroy();
    if (!this.abort.signal.aborted) this.abort.abort();
    if (this.responseMessageId === null) {
      this.markClosed();
    } else {
      const stopped = settlesWithin(this.stopStream(this.responseMessageId), this.settings.closeGraceMs);
      void stopped.then(this.markClosed, this.markClosed);
    }
    if (error !== null) this.report(error, wasPreflight);
  }

  /** Before the answer started, whoever waits for it hears of the error once the account is free again. */
  private report(error: unknown, wasPreflight: boolean): void {
    if (wasPreflight) void this.closed.then(() => this.rejectStart(error));
    else this.relay.error(error);
  }

  /** Backpressure from our client: a paused body stops the socket's reads, so the upstream slows down too. */
  private setPaused(paused: boolean): void {
    this.paused = paused;
    if (!this.body || this.bodyEnded || this.phase === 'done') return;
    if (paused) this.body.pause();
    else this.body.resume();
  }

  private readonly onAbort = (): void => this.terminate(this.abort.signal.reason ?? new Error('aborted'));

  private clearTimers(): void {
    if (this.firstEventTimer) clearTimeout(this.firstEventTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.firstEventTimer = null;
    this.graceTimer = null;
  }
}
