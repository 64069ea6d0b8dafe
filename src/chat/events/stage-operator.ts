import { Observable, OperatorFunction, Subscription } from 'rxjs';

export type Emit<T> = (event: T) => void;
/** Ends the stage's output now and unsubscribes from its source (for an upstream run: stops the generation). */
export type End = () => void;

/** One stateful step of the event pipeline; a fresh instance per subscription. */
export interface EventStage<In, Out> {
  next(event: In, emit: Emit<Out>, end: End): void;
  /** The source completed: flush whatever is held. Not called after `end`. */
  complete(emit: Emit<Out>): void;
  /** The stream fails with `error` (from the source or a stage): for stages that watch, not for output. */
  error?(error: unknown): void;
}

/** Makes a stage; what a stage operator takes. */
export type StageFactory<In, Out> = () => EventStage<In, Out>;

/**
 * Runs stages as one rxjs operator: what one emits, the next one takes by a plain call, in one subscriber
 * (every event of every stream goes through here; an operator per stage would cost a subscriber hop
 * each). The stages' types must line up: each one's output is the next one's input. A stage that ends
 * ends the whole chain as separate operators would: the stages after it complete (flush), those before it
 * stop with the source. Errors thrown by a stage become the stream's error.
 */
export function stageOperator<In, Out>(createStage: StageFactory<In, Out>): OperatorFunction<In, Out>;
export function stageOperator<In, Out>(...createStages: StageFactory<never, unknown>[]): OperatorFunction<In, Out>;
export function stageOperator<In, Out>(...createStages: StageFactory<never, unknown>[]): OperatorFunction<In, Out> {
  return (source) =>
    new Observable<Out>((subscriber) => {
      const stages = createStages.map((create) => create() as EventStage<unknown, unknown>);
      const last = stages.length - 1;
      /** The output completed or failed. */
      let finished = false;
      /** The stage that ended: it and those before it take and give nothing more; -1 for none. */
      let endedAt = -1;
      // Created first: a source that delivers while it is being subscribed (a relay's backlog) may end the
      // chain before subscribe() returns; a closed Subscription unsubscribes what is added to it at once.
      const upstream = new Subscription();
      const fail = (error: unknown): void => {
        if (finished) return;
        finished = true;
        upstream.unsubscribe();
        for (const stage of stages) stage.error?.(error);
        subscriber.error(error);
      };
      /** Completes the stages after `index` in order (each flush goes through the stages after it), then the output. */
      const completeAfter = (index: number): void => {
        try {
          // A stage that ends during this flush finishes the output itself, which stops the loop.
          for (let i = index + 1; i <= last && !finished; i++) stages[i].complete(emits[i]);
          if (finished) return;
          finished = true;
          subscriber.complete();
        } catch (error) {
          fail(error);
        }
      };
      const ends: End[] = stages.map((_, index) => () => {
        if (finished || index <= endedAt) return;
        endedAt = index;
        upstream.unsubscribe();
        completeAfter(index);
      });
      // What stage i emits: stage i + 1's input, the last one's to the subscriber.
      const emits: Emit<unknown>[] = stages.map((_, index) =>
        index === last
          ? (event) => {
              if (!finished && index > endedAt) subscriber.next(event as Out);
            }
          : (event) => {
              if (!finished && index > endedAt) stages[index + 1].next(event, emits[index + 1], ends[index + 1]);
            },
      );
      upstream.add(
        source.subscribe({
          next: (event) => {
            if (finished || endedAt >= 0) return;
            try {
              stages[0].next(event, emits[0], ends[0]);
            } catch (error) {
              fail(error);
            }
          },
          error: fail,
          complete: () => {
            if (!finished && endedAt < 0) completeAfter(-1);
          },
        }),
      );
      return upstream;
    });
}
