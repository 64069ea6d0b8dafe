import { Observable, OperatorFunction, Subject, Subscription, takeUntil } from 'rxjs';
import type { Emit } from './stage-operator';

/** Sends `prompt` as the next user turn of the same upstream chat, on the same account; its reply's events. */
export type FollowUp<In> = (prompt: string) => Observable<In>;

/**
 * A stage that judges a whole reply and may ask the model once more, in the same upstream chat, to
 * correct it (a tool call that could not be read, JSON that does not match the schema).
 */
export interface TurnStage<Out> {
  next(event: Out, emit: Emit<Out>): void;
  /**
   * The turn's events ended. A corrective message to send now, or null when the stage emitted the
   * answer's end (it always ends with a `finish` of its own then).
   */
  correction(): string | null;
  /** The correction was sent: what follows is its reply. */
  beginCorrection(): void;
}

/**
 * Runs each upstream turn through `stages` (upstream events → the stage's input) and then one TurnStage
 * for the whole answer. `stopTurn`, given to the stage, ends the current turn's upstream events there
 * (leaving the stream early cuts its body and sends the stop call). Without `followUp`, no correction
 * can be sent: the stage must not ask for one.
 */
export function withCorrectiveTurns<In, Out>(
  stages: OperatorFunction<In, Out>,
  createStage: (stopTurn: () => void) => TurnStage<Out>,
  followUp?: FollowUp<In>,
): OperatorFunction<In, Out> {
  return (firstTurn) =>
    new Observable<Out>((subscriber) => {
      let stopCurrent = (): void => undefined;
      const stage = createStage(() => stopCurrent());
      const emit: Emit<Out> = (event) => subscriber.next(event);
      const turns = new Subscription();
      const run = (source: Observable<In>): void => {
        const stop = new Subject<void>();
        stopCurrent = () => stop.next();
        turns.add(
          source.pipe(takeUntil(stop), stages).subscribe({
            next: (event) => {
              try {
                stage.next(event, emit);
              } catch (error) {
                subscriber.error(error);
              }
            },
            error: (error: unknown) => subscriber.error(error),
            complete: () => {
              const correction = stage.correction();
              if (correction === null) return subscriber.complete();
              if (!followUp) return subscriber.error(new Error('a correction was asked for without a follow-up turn'));
              stage.beginCorrection();
              run(followUp(correction));
            },
          }),
        );
      };
      run(firstTurn);
      return turns;
    });
}
