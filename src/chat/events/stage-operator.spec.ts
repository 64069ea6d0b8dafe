import { lastValueFrom, Observable, Subject, toArray } from 'rxjs';
import { EventStage, stageOperator } from './stage-operator';

class Doubler implements EventStage<number, number> {
  next(value: number, emit: (n: number) => void): void {
    if (value < 0) throw new Error('negative');
    emit(value);
    emit(value);
  }
  complete(emit: (n: number) => void): void {
    emit(0);
  }
}

describe('stageOperator', () => {
  it('should run a fresh stage per subscription and flush on completion', async () => {
    const source = new Observable<number>((subscriber) => {
      subscriber.next(1);
      subscriber.next(2);
      subscriber.complete();
    });
    const doubled = source.pipe(stageOperator(() => new Doubler()));
    expect(await lastValueFrom(doubled.pipe(toArray()))).toEqual([1, 1, 2, 2, 0]);
    expect(await lastValueFrom(doubled.pipe(toArray()))).toEqual([1, 1, 2, 2, 0]);
  });

  it('should turn an error thrown by the stage into the stream error and stop the source', () => {
    const source = new Subject<number>();
    const errors: unknown[] = [];
    source.pipe(stageOperator(() => new Doubler())).subscribe({ error: (error: unknown) => errors.push(error) });
    source.next(-1);
    expect((errors[0] as Error).message).toBe('negative');
    expect(source.observed).toBe(false);
  });

  it('should unsubscribe from the source when the consumer goes away', () => {
    const source = new Subject<number>();
    const subscription = source.pipe(stageOperator(() => new Doubler())).subscribe();
    expect(source.observed).toBe(true);
    subscription.unsubscribe();
    expect(source.observed).toBe(false);
  });
});

describe('stageOperator end()', () => {
  class TakeUntilZero implements EventStage<number, number> {
    completed = false;
    next(value: number, emit: (n: number) => void, end: () => void): void {
      if (value === 0) return end();
      emit(value);
    }
    complete(): void {
      this.completed = true;
    }
  }

  it('should complete the output and unsubscribe from the source when the stage ends', () => {
    const source = new Subject<number>();
    const seen: number[] = [];
    let completed = false;
    const stage = new TakeUntilZero();
    source
      .pipe(stageOperator(() => stage))
      .subscribe({ next: (n) => seen.push(n), complete: () => (completed = true) });
    source.next(1);
    source.next(0);
    source.next(2);
    expect(seen).toEqual([1]);
    expect(completed).toBe(true);
    expect(source.observed).toBe(false);
    expect(stage.completed).toBe(false);
  });

  it('should unsubscribe from a source that ends the stage while it is being subscribed', () => {
    let unsubscribed = false;
    const source = new Observable<number>((subscriber) => {
      subscriber.next(1);
      subscriber.next(0);
      subscriber.next(3);
      return () => (unsubscribed = true);
    });
    const seen: number[] = [];
    source.pipe(stageOperator(() => new TakeUntilZero())).subscribe((n) => seen.push(n));
    expect(seen).toEqual([1]);
    expect(unsubscribed).toBe(true);
  });
});

describe('stageOperator with several stages', () => {
  /** Holds every value until the next one (or the end), then passes it on plus ten. */
  class HoldOne implements EventStage<number, number> {
    private held: number | null = null;
    next(value: number, emit: (n: number) => void): void {
      if (this.held !== null) emit(this.held + 10);
      this.held = value;
    }
    complete(emit: (n: number) => void): void {
      if (this.held !== null) emit(this.held + 10);
    }
  }

  /** Passes values on, ends at a negative one; remembers whether it was completed. */
  class EndAtNegative implements EventStage<number, number> {
    completed = false;
    next(value: number, emit: (n: number) => void, end: () => void): void {
      if (value < 0) return end();
      emit(value);
    }
    complete(emit: (n: number) => void): void {
      this.completed = true;
      emit(99);
    }
  }

  /** Passes values on and records what it saw of the stream's end. */
  class Watcher implements EventStage<number, number> {
    readonly seen: string[] = [];
    next(value: number, emit: (n: number) => void): void {
      emit(value);
    }
    complete(): void {
      this.seen.push('complete');
    }
    error(error: unknown): void {
      this.seen.push(`error: ${(error as Error).message}`);
    }
  }

  it('should feed each stage the one before it, and flush them in order when the source completes', async () => {
    const source = new Observable<number>((subscriber) => {
      [1, 2, 3].forEach((n) => subscriber.next(n));
      subscriber.complete();
    });
    const chained = source.pipe(
      stageOperator<number, number>(
        () => new HoldOne(),
        () => new Doubler(),
      ),
    );
    // HoldOne passes 11 and 12 on arrival of the next value, 13 at its flush; then Doubler flushes its 0.
    expect(await lastValueFrom(chained.pipe(toArray()))).toEqual([11, 11, 12, 12, 13, 13, 0]);
  });

  it('should end the chain where a stage ends: the stages after it flush, those before it stop with the source', () => {
    const source = new Subject<number>();
    const before = new EndAtNegative();
    const ending = new EndAtNegative();
    const after = new HoldOne();
    const seen: number[] = [];
    let completed = false;
    source
      .pipe(
        stageOperator<number, number>(
          () => before,
          () => ({ next: (n: number, emit: (n: number) => void) => emit(n === 5 ? -1 : n), complete: () => undefined }),
          () => ending,
          () => after,
        ),
      )
      .subscribe({ next: (n) => seen.push(n), complete: () => (completed = true) });
    source.next(1);
    source.next(2);
    source.next(5); // becomes -1 before `ending`, which ends the chain
    source.next(3);
    expect(seen).toEqual([11, 12]);
    expect(completed).toBe(true);
    expect(source.observed).toBe(false);
    expect(before.completed).toBe(false);
    expect(ending.completed).toBe(false);
  });

  it("should tell every stage's error hook when the source fails or a stage throws", () => {
    const failing = new Subject<number>();
    const watcher = new Watcher();
    failing.pipe(stageOperator<number, number>(() => watcher)).subscribe({ error: () => undefined });
    failing.error(new Error('upstream'));

    const throwing = new Subject<number>();
    const late = new Watcher();
    const errors: unknown[] = [];
    throwing
      .pipe(
        stageOperator<number, number>(
          () => new Doubler(),
          () => late,
        ),
      )
      .subscribe({ error: (error: unknown) => errors.push(error) });
    throwing.next(-1);

    expect(watcher.seen).toEqual(['error: upstream']);
    expect(late.seen).toEqual(['error: negative']);
    expect(errors).toHaveLength(1);
    expect(throwing.observed).toBe(false);
  });
});
