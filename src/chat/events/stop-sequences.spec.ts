import fc from 'fast-check';
import { Subject } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import { firstStop, stopSequences } from './stop-sequences';

/** Feeds `events` through the stage; what came out, and whether the stage let go of its source. */
function run(stops: string[], events: DeepSeekEvent[], complete = true) {
  const source = new Subject<DeepSeekEvent>();
  const out: DeepSeekEvent[] = [];
  let completed = false;
  source.pipe(stopSequences(stops)).subscribe({ next: (e) => out.push(e), complete: () => (completed = true) });
  for (const event of events) source.next(event);
  const stoppedUpstream = !source.observed;
  if (complete && source.observed) source.complete();
  const content = out.flatMap((e) => (e.type === 'content' ? [e.text] : [])).join('');
  const finished = out.some((e) => e.type === 'status' && e.status === 'FINISHED');
  return { out, content, finished, stoppedUpstream, completed };
}
const contents = (...texts: string[]): DeepSeekEvent[] => texts.map((text) => ({ type: 'content', text }));

describe('stopSequences', () => {
  const text = 'Paris.END Rome.';

  it('should cut before the stop string at every split point across two and three frames', () => {
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j++) {
        const chunks = [text.slice(0, i), text.slice(i, j), text.slice(j)].filter(Boolean);
        const result = run(['END'], contents(...chunks), false);
        expect({ chunks, ...result, out: undefined }).toEqual({
          chunks,
          out: undefined,
          content: 'Paris.',
          finished: true,
          stoppedUpstream: true,
          completed: true,
        });
      }
    }
  });

  it('should cut a stop string spanning three chunks and stop the upstream at once', () => {
    const result = run(['<END>'], contents('Paris.<E', 'N', 'D> and more', 'never read'), false);
    expect(result.content).toBe('Paris.');
    expect(result.out.at(-1)).toEqual({ type: 'status', status: 'FINISHED', stopSequence: '<END>' });
    expect(result.stoppedUpstream).toBe(true);
  });

  it('should hold back only a tail that could begin a stop string, and release it when the text diverges', () => {
    const result = run(['END'], contents('Paris EN', 'Ds', 'Rome'), false);
    // "ENDs" holds the stop string: the first frame gives everything but "EN".
    expect(result.out[0]).toEqual({ type: 'content', text: 'Paris ' });
    expect(result.content).toBe('Paris ');

    const diverging = run(['END'], contents('Paris EN', 'OUGH said'));
    expect(diverging.out).toEqual(contents('Paris ', 'ENOUGH said'));
    expect(diverging.finished).toBe(false);
    expect(diverging.stoppedUpstream).toBe(false);
  });

  it('should pass a frame that cannot begin a stop string as it came', () => {
    const frame: DeepSeekEvent = { type: 'content', text: 'Paris is nice.' };
    expect(run(['END'], [frame]).out[0]).toBe(frame);
  });

  it('should give back a held tail when the answer ends without the stop string', () => {
    const result = run(['END'], [...contents('Paris E'), { type: 'status', status: 'FINISHED' }]);
    expect(result.out).toEqual([...contents('Paris ', 'E'), { type: 'status', status: 'FINISHED' }]);
    expect(result.completed).toBe(true);
  });

  it('should not search reasoning', () => {
    const result = run(['END'], [{ type: 'reasoning', text: 'the END is near' }, ...contents('Paris.')]);
    expect(result.out[0]).toEqual({ type: 'reasoning', text: 'the END is near' });
    expect(result.content).toBe('Paris.');
    expect(result.finished).toBe(false);
  });

  it('should give an empty answer when it begins with a stop string', () => {
    const result = run(['\n\n'], contents('\n', '\nParis'), false);
    expect(result.content).toBe('');
    expect(result.out).toEqual([{ type: 'status', status: 'FINISHED', stopSequence: '\n\n' }]);
  });

  it('should report the stop string that completes first', () => {
    const result = run(['lazy dog', 'fox'], contents('the quick brown fox jumps over the lazy dog'), false);
    expect(result.content).toBe('the quick brown ');
    expect(result.out.at(-1)).toEqual({ type: 'status', status: 'FINISHED', stopSequence: 'fox' });
  });

  it('should end at the stop string that completes first, however the text is split', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c');
    const word = (min: number) => fc.string({ unit: alphabet, minLength: min, maxLength: 4 });
    fc.assert(
      fc.property(
        word(0).chain((w) => fc.string({ unit: alphabet, maxLength: 20 }).map((s) => w + s)),
        fc.array(word(1), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (answer, stops, cuts) => {
          const points = [...new Set(cuts.map((c) => c % (answer.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points].map((p, i, all) => answer.slice(p, all[i + 1] ?? answer.length));
          const result = run(stops, contents(...chunks.filter(Boolean)));
          const cut = firstStop(answer, stops);
          expect(result.content).toBe(cut < 0 ? answer : answer.slice(0, cut));
          expect(result.finished).toBe(cut >= 0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('should choose the earliest end among several stop strings', () => {
    expect(firstStop('xabcdy', ['abcd', 'c'])).toBe(3);
    expect(firstStop('xabcdy', ['bc', 'abc'])).toBe(1);
    expect(firstStop('xabcdy', ['z'])).toBe(-1);
  });

  it('should drop a held tail that a content filter voids', () => {
    const result = run(['END'], [...contents('Paris E'), { type: 'template', text: 'Sorry.' }]);
    expect(result.out).toEqual([
      { type: 'content', text: 'Paris ' },
      { type: 'template', text: 'Sorry.' },
    ]);
  });
});
