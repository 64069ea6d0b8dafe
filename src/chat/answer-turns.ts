import { defer, finalize, mergeMap, Observable } from 'rxjs';
import type { UpstreamCompletion } from '../deepseek/deepseek.client';
import type { DeepSeekEvent } from '../deepseek/stream/deepseek-event';
import type { AccountLease } from '../tokens/pool/token-pool.service';

/** Starts a follow-up turn on the leased account: `prompt` answered after `parentMessageId` in `sessionId`. */
export type StartTurn = (
  prompt: string,
  sessionId: string,
  parentMessageId: number | null,
) => Promise<UpstreamCompletion>;

/**
 * The upstream turns of one answer on its leased account: the first, and any corrective turn sent in the
 * same chat. DeepSeek counts the account as generating until a turn's stream has closed (the title comes
 * after the answer), so a follow-up starts only then, and the lease is held until the answer's events
 * ended and the last turn closed. The service reads the events at once; if the request is aborted
 * before it did, nothing can ask for a follow-up any more and the lease goes when the turn closed.
 */
export class AnswerTurns {
  private last: UpstreamCompletion;
  private lastClosed = false;
  private starting = false;
  /** Until the events ended (or were never read, the request being gone): a follow-up may come. */
  private reading = true;
  private subscribed = false;
  private released = false;

  constructor(
    first: UpstreamCompletion,
    private readonly lease: AccountLease,
    private readonly startTurn: StartTurn,
    signal: AbortSignal,
  ) {
    this.last = first;
    this.watch(first);
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The answer's events: the first turn's. Subscribe once. */
  events<T>(read: (first: Observable<DeepSeekEvent>) => Observable<T>): Observable<T> {
    return defer(() => {
      this.subscribed = true;
      return read(this.last.events);
    }).pipe(
      finalize(() => {
        this.reading = false;
        this.releaseWhenIdle();
      }),
    );
  }

  /** The next turn in the same chat, once the current one has closed; its events. */
  readonly followUp = (prompt: string): Observable<DeepSeekEvent> =>
    defer(async () => {
      if (this.released) throw new Error('the answer ended before its corrective turn');
      this.starting = true;
      try {
        const previous = this.last;
        await previous.closed;
        const next = await this.startTurn(prompt, previous.sessionId, previous.responseMessageId);
        this.last = next;
        this.lastClosed = false;
        this.watch(next);
        return next.events;
      } finally {
        this.starting = false;
        this.releaseWhenIdle();
      }
    }).pipe(mergeMap((events) => events));

  /** The chat and message of the latest turn: where the answer ends upstream. */
  latest(): { sessionId: string; responseMessageId: number | null } {
    return { sessionId: this.last.sessionId, responseMessageId: this.last.responseMessageId };
  }

  pause(): void {
    this.last.pause();
  }

  resume(): void {
    this.last.resume();
  }

  private readonly onAbort = (): void => {
    if (this.subscribed) return; // the events end (with the abort's error) and say so themselves
    this.reading = false;
    this.releaseWhenIdle();
  };

  private watch(turn: UpstreamCompletion): void {
    void turn.closed.then(() => {
      if (this.last !== turn) return;
      this.lastClosed = true;
      this.releaseWhenIdle();
    });
  }

  private releaseWhenIdle(): void {
    if (this.released || this.reading || this.starting || !this.lastClosed) return;
    this.released = true;
    this.lease.release();
  }
}
