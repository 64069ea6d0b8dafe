import { Observable, OperatorFunction, Subscription } from 'rxjs';

export type Emit<T> = (event: T) => void;
/** Ends the stage's output now and unsubscribes from its source (for an upstream run: stops the generation). */
export type End = () => void;

/** One stateful step of the event pipeline; a fresh instance per subscription. */
export interface EventStage<In, Out> {
  next(event: In, emit: Emit<Out>, end: End): void;
  /** The source completed: flush whatever is held. Not called after `end`. */
  complete(emit: Emit<Out>): void;
}

/** Runs a stage as an rxjs operator. Errors thrown by the stage become the stream's error. */
export function stageOperator<In, Out>(createStage: () => EventStage<In, Out>): OperatorFunction<In, Out> {
  return (source) =>
    new Observable<Out>((subscriber) => {
      const stage = createStage();
      const emit: Emit<Out> = (event) => subscriber.next(event);
      let ended = false;
      // Created first: a source that delivers while it is being subscribed (a relay's backlog) may end the
      // stage before subscribe() returns; a closed Subscription unsubscribes what is added to it at once.
      const upstream = new Subscription();
      const end: End = () => {
        if (ended) return;
        ended = true;
        upstream.unsubscribe();
        subscriber.complete();
      };
      upstream.add(
        source.subscribe({
          next: (event) => {
            if (ended) return;
            try {
              stage.next(event, emit, end);
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
        }),
      );
      return upstream;
    });
}
