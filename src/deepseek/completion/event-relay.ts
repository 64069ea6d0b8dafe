import { Observable, Subscriber } from 'rxjs';

/**
 * Holds events until the single consumer subscribes, then hands them over as they come. Unlike a
 * ReplaySubject it keeps nothing once delivered, so a long stream costs no memory.
 */
export class EventRelay<T> {
  private subscriber: Subscriber<T> | null = null;
  private subscribed = false;
  private backlog: T[] = [];
  private outcome: { error?: unknown } | null = null;

  /** @param onUnsubscribe called when the consumer leaves before the end. */
  constructor(private readonly onUnsubscribe: () => void) {}

  readonly observable = new Observable<T>((subscriber) => {
    if (this.subscribed) {
      subscriber.error(new Error('this stream can be consumed once'));
      return undefined;
    }
    this.subscribed = true;
    this.subscriber = subscriber;
    const backlog = this.backlog;
    this.backlog = [];
    for (const value of backlog) subscriber.next(value);
    if (this.outcome) this.settle();
    return () => {
      const early = this.outcome === null;
      this.subscriber = null;
      if (early) this.onUnsubscribe();
    };
  });

  next(value: T): void {
    if (this.outcome) return;
    if (this.subscriber) this.subscriber.next(value);
    else this.backlog.push(value);
  }

  complete(): void {
    this.end({});
  }

  error(error: unknown): void {
    this.end({ error });
  }

  private end(outcome: { error?: unknown }): void {
    if (this.outcome) return;
    this.outcome = outcome;
    this.settle();
  }

  private settle(): void {
    const subscriber = this.subscriber;
    if (!subscriber || !this.outcome) return;
    this.subscriber = null;
    if (this.outcome.error !== undefined) subscriber.error(this.outcome.error);
    else subscriber.complete();
  }
}
