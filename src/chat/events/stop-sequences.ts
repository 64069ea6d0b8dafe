import type { OperatorFunction } from 'rxjs';
import { type DeepSeekEvent, TERMINAL_STATUSES } from '../../deepseek/stream/deepseek-event';
import { Emit, End, EventStage, StageFactory, stageOperator } from './stage-operator';

/**
 * `stop` (docs/api.md §1.2): the answer ends right before the first stop string to appear, the message
 * ends as FINISHED (`finish_reason: "stop"`) and the upstream generation is stopped. Only a tail that
 * could still begin a stop string is held back until the next delta settles it, so the result does not
 * depend on how the text was split. Reasoning and a content filter's template are not searched.
 */
class StopStage implements EventStage<DeepSeekEvent, DeepSeekEvent> {
  private held = '';

  constructor(private readonly stops: readonly string[]) {}

  next(event: DeepSeekEvent, emit: Emit<DeepSeekEvent>, end: End): void {
    if (event.type === 'content') {
      this.scan(event, emit, end);
      return;
    }
    // The template voids the answer before it, held text included.
    if (event.type === 'template') this.held = '';
    else if (event.type === 'status' && TERMINAL_STATUSES.has(event.status)) this.complete(emit);
    emit(event);
  }

  complete(emit: Emit<DeepSeekEvent>): void {
    if (this.held) emit({ type: 'content', text: this.held });
    this.held = '';
  }

  private scan(event: Extract<DeepSeekEvent, { type: 'content' }>, emit: Emit<DeepSeekEvent>, end: End): void {
    const joined = this.held !== '';
    const text = joined ? this.held + event.text : event.text;
    const match = firstStopMatch(text, this.stops);
    if (match) {
      const cut = match.start;
      this.held = '';
      if (cut > 0) emit({ type: 'content', text: text.slice(0, cut) });
      emit({ type: 'status', status: 'FINISHED', stopSequence: match.stop });
      end();
      return;
    }
    const hold = stopPrefixAtEnd(text, this.stops);
    const release = text.length - hold;
    this.held = hold === 0 ? '' : text.slice(release);
    if (release === 0) return;
    emit(joined || hold > 0 ? { type: 'content', text: text.slice(0, release) } : event);
  }
}

/**
 * Where the stop string that completes first begins (the earliest end; on a tie the longer one), or -1.
 * Earliest end, not earliest start: that is the string a token-by-token generation meets first.
 */
export function firstStop(text: string, stops: readonly string[]): number {
  return firstStopMatch(text, stops)?.start ?? -1;
}

/** `firstStop` with the stop string it found (Anthropic reports it as `stop_sequence`). */
export function firstStopMatch(text: string, stops: readonly string[]): { start: number; stop: string } | null {
  let best: { start: number; stop: string } | null = null;
  let bestEnd = Number.POSITIVE_INFINITY;
  for (const stop of stops) {
    const start = text.indexOf(stop);
    if (start < 0) continue;
    const end = start + stop.length;
    if (end < bestEnd || (end === bestEnd && best !== null && start < best.start)) {
      best = { start, stop };
      bestEnd = end;
    }
  }
  return best;
}

/** The length of the longest tail of `text` that is a proper prefix of a stop string. */
export function stopPrefixAtEnd(text: string, stops: readonly string[]): number {
  let longest = 0;
  for (const stop of stops) {
    for (let length = Math.min(stop.length - 1, text.length); length > longest; length--) {
      if (endsWithStart(text, stop, length)) {
        longest = length;
        break;
      }
    }
  }
  return longest;
}

function endsWithStart(text: string, stop: string, length: number): boolean {
  const offset = text.length - length;
  for (let i = 0; i < length; i++) if (text.charCodeAt(offset + i) !== stop.charCodeAt(i)) return false;
  return true;
}

/** Runs on the upstream's events, before citation markers become links. */
export function stopStage(stops: readonly string[]): StageFactory<DeepSeekEvent, DeepSeekEvent> {
  return () => new StopStage(stops);
}

export function stopSequences(stops: readonly string[]): OperatorFunction<DeepSeekEvent, DeepSeekEvent> {
  return stageOperator(stopStage(stops));
}
