import { lastValueFrom, Observable, Subject, toArray } from 'rxjs';
import { answerFrames } from './answer-frames';

const errorFrame = (error: unknown) => `error:${(error as Error).message}`;

describe('answerFrames', () => {
  it('should send the preamble, then the opened answer frames, then complete', async () => {
    const frames = answerFrames({
      preamble: () => 'created',
      opening: Promise.resolve(['a', 'b']),
      frames: (texts) => new Observable<string>((s) => (texts.forEach((t) => s.next(t)), s.complete())),
      errorFrame,
    });
    expect(await lastValueFrom(frames.pipe(toArray()))).toEqual(['created', 'a', 'b']);
  });

  it('should send the preamble before the answer opened', () => {
    const seen: string[] = [];
    answerFrames({
      preamble: () => 'created',
      opening: new Promise<never>(() => undefined),
      frames: () => new Subject<string>(),
      errorFrame,
    }).subscribe((frame) => seen.push(frame));
    expect(seen).toEqual(['created']);
  });

  it('should end with one error frame when the pre-flight fails', async () => {
    const frames = answerFrames({
      opening: Promise.reject(new Error('no account')),
      frames: () => new Subject<string>(),
      errorFrame,
    });
    expect(await lastValueFrom(frames.pipe(toArray()))).toEqual(['error:no account']);
  });

  it('should end with one error frame when the answer fails midway', async () => {
    const answer = new Subject<string>();
    const seen: string[] = [];
    const done = new Promise<void>((resolve) =>
      answerFrames({ opening: Promise.resolve(answer), frames: (a) => a, errorFrame }).subscribe({
        next: (frame) => seen.push(frame),
        complete: resolve,
      }),
    );
    await Promise.resolve();
    answer.next('a');
    answer.error(new Error('cut'));
    await done;
    expect(seen).toEqual(['a', 'error:cut']);
  });

  it('should never read an answer that opens after the client left, and stop one it reads', async () => {
    const late = new Subject<string>();
    let resolveLate!: (answer: Subject<string>) => void;
    answerFrames({ opening: new Promise<Subject<string>>((r) => (resolveLate = r)), frames: (a) => a, errorFrame })
      .subscribe()
      .unsubscribe();
    resolveLate(late);
    await Promise.resolve();
    expect(late.observed).toBe(false);

    const answer = new Subject<string>();
    const subscription = answerFrames({ opening: Promise.resolve(answer), frames: (a) => a, errorFrame }).subscribe();
    await Promise.resolve();
    expect(answer.observed).toBe(true);
    subscription.unsubscribe();
    expect(answer.observed).toBe(false);
  });
});
