import fc from 'fast-check';
import { Subject } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import { estimateTokens } from '../usage';
import { TokenLimits, tokenLimit } from './token-limit';

function run(limits: Partial<TokenLimits>, events: DeepSeekEvent[]) {
  const source = new Subject<DeepSeekEvent>();
  const out: DeepSeekEvent[] = [];
  source.pipe(tokenLimit({ answer: null, completion: null, ...limits })).subscribe((e) => out.push(e));
  for (const event of events) source.next(event);
  const stoppedUpstream = !source.observed;
  const text = (type: 'content' | 'reasoning') => out.flatMap((e) => (e.type === type ? [e.text] : [])).join('');
  const cut = out.some((e) => e.type === 'status' && e.status === 'INCOMPLETE');
  return { out, content: text('content'), reasoning: text('reasoning'), cut, stoppedUpstream };
}
const content = (text: string): DeepSeekEvent => ({ type: 'content', text });
const reasoning = (text: string): DeepSeekEvent => ({ type: 'reasoning', text });
const FINISHED: DeepSeekEvent = { type: 'status', status: 'FINISHED' };
const ANSWER = 'Paris is the capital of France.';

/** `kept` is the longest start of `text` whose estimate (usage.ts) stays within `limit`. */
function expectLongestWithin(text: string, kept: string, limit: number): void {
  expect(text.startsWith(kept)).toBe(true);
  expect(kept.length).toBeLessThan(text.length);
  expect(estimateTokens(kept)).toBeLessThanOrEqual(limit);
  expect(estimateTokens(text.slice(0, kept.length + 1))).toBeGreaterThan(limit);
}

describe('tokenLimit', () => {
  it('should cut the answer at max_tokens, end it as INCOMPLETE and stop the upstream', () => {
    const result = run({ answer: 3 }, [content('Paris is the cap'), content('ital of France.'), FINISHED]);
    expectLongestWithin(ANSWER, result.content, 3);
    expect(result.content.length).toBeGreaterThan('Paris is'.length);
    expect(result.out.at(-1)).toEqual({ type: 'status', status: 'INCOMPLETE' });
    expect(result.stoppedUpstream).toBe(true);
  });

  it('should let an answer exactly at the limit finish, and cut the first text beyond it', () => {
    const limit = estimateTokens(ANSWER);
    expect(run({ answer: limit }, [content(ANSWER), FINISHED]).out).toEqual([content(ANSWER), FINISHED]);

    // A wide full stop is a whole token in the estimate.
    const beyond = run({ answer: limit }, [content(ANSWER), content('。'), FINISHED]);
    expect(beyond.out).toEqual([content(ANSWER), { type: 'status', status: 'INCOMPLETE' }]);
    expect(beyond.stoppedUpstream).toBe(true);
  });

  it('should count reasoning toward max_completion_tokens', () => {
    const thought = 'Think about it.';
    expect(estimateTokens(thought)).toBe(4);
    const result = run({ completion: 6 }, [reasoning(thought), content(ANSWER)]);
    expect(result.reasoning).toBe(thought);
    expectLongestWithin(ANSWER, result.content, 2);
    expect(result.cut).toBe(true);
  });

  it('should cut the reasoning itself when it uses up max_completion_tokens, with no answer', () => {
    const result = run({ completion: 2 }, [reasoning('Think about it.'), content(ANSWER)]);
    expectLongestWithin('Think about it.', result.reasoning, 2);
    expect(result.content).toBe('');
    expect(result.cut).toBe(true);
    expect(result.stoppedUpstream).toBe(true);
  });

  it('should not count reasoning toward max_tokens', () => {
    const result = run({ answer: 2 }, [reasoning('A long thought. '.repeat(20)), content(ANSWER)]);
    expect(result.reasoning).toBe('A long thought. '.repeat(20));
    expectLongestWithin(ANSWER, result.content, 2);
  });

  it('should apply the tighter of both limits', () => {
    expectLongestWithin(ANSWER, run({ answer: 5, completion: 3 }, [content(ANSWER)]).content, 3);
    expectLongestWithin(ANSWER, run({ answer: 1, completion: 30 }, [content(ANSWER)]).content, 1);
  });

  it('should cut at the same place however the text is split, never above the limit', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (text, cuts, limit) => {
          // Upstream deltas are whole JSON strings: split between code points.
          const units = Array.from(text);
          const points = [...new Set(cuts.map((c) => c % (units.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...points]
            .map((p, i, all) => units.slice(p, all[i + 1] ?? units.length).join(''))
            .filter(Boolean);
          const whole = run({ answer: limit }, text ? [content(text)] : []).content;
          const split = run({ answer: limit }, chunks.map(content)).content;
          expect(split).toBe(whole);
          expect(text.startsWith(whole)).toBe(true);
          expect(estimateTokens(whole)).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('should never split a surrogate pair', () => {
    const result = run({ answer: 2 }, [content('😀😀😀')]);
    expect(result.content).toBe('😀😀');
  });
});
