import { Observable, OperatorFunction } from 'rxjs';

export type Emit<T> = (event: T) => void;

/** One stateful step of the event pipeline; a fresh instance per subscription. */
export interface EventStage<In, Out> {
  next(event: In, emit: Emit<Out>): void;
  /** The source completed: flush whatever is held. */
  complete(emit: Emit<Out>): void;
}

/** Runs a stage as an rxjs operator. Errors thrown by the stage become the stream's error. */
export function stageOperator<In, Out>(createStage: () => EventStage<In, Out>): OperatorFunction<In, Out> {
  return (source) =>
    new Observable<Out>((subscriber) => {
      const stage = createStage();
      const emit: Emit<Out> = (event) => subscriber.next(event);
      return source.subscribe({
        next: (event) => {
          try {
            stage.next(event, emit);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          try {
            stage.complete(emit);
            subscriber.complete();
          } catch (error) {
            subscriber.error(error);
          }
        },
      });
    });
}
