import { Observable, type Subscription } from 'rxjs';

export interface AnswerFrameParts<T> {
  /** Frames due as soon as the stream is committed, before the answer opened (none when absent). */
  preamble?: () => string;
  /** The pre-flight: resolves with the opened answer. */
  opening: Promise<T>;
  /** The opened answer's frames. */
  frames: (opened: T) => Observable<string>;
  /** The frame that reports a failure, the pre-flight's included; the stream then ends. */
  errorFrame: (error: unknown) => string;
}

/**
 * An SSE stream's frames: the preamble at once, then the answer's frames once it opened, a failure as one
 * error frame. What `concat`, `switchMap` and `catchError` would do, in one subscriber instead of four:
 * every frame of every stream goes through here (docs/decisions/0010).
 */
export function answerFrames<T>({ preamble, opening, frames, errorFrame }: AnswerFrameParts<T>): Observable<string> {
  return new Observable<string>((subscriber) => {
    const fail = (error: unknown): void => {
      subscriber.next(errorFrame(error));
      subscriber.complete();
    };
    try {
      if (preamble) subscriber.next(preamble());
    } catch (error) {
      fail(error);
      return undefined;
    }
    let inner: Subscription | undefined;
    opening.then(
      (opened) => {
        if (subscriber.closed) return;
        try {
          inner = frames(opened).subscribe({
            next: (frame) => subscriber.next(frame),
            error: fail,
            complete: () => subscriber.complete(),
          });
          if (subscriber.closed) inner.unsubscribe();
        } catch (error) {
          fail(error);
        }
      },
      (error: unknown) => {
        if (!subscriber.closed) fail(error);
      },
    );
    return () => inner?.unsubscribe();
  });
}
