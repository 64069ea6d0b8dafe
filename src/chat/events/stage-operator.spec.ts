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
