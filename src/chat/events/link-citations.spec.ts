import fc from 'fast-check';
import { from, OperatorFunction, Subject } from 'rxjs';
import type { SearchResult } from '../../deepseek/stream/deepseek-event';
import type { ChatEvent } from './chat-event';
import { linkCitations, SOURCES_HEADING } from './link-citations';

function run(operator: OperatorFunction<ChatEvent, ChatEvent>, events: ChatEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  from(events)
    .pipe(operator)
    .subscribe({
      next: (event) => out.push(event),
      error: (error: unknown) => {
        throw error;
      },
    });
  return out;
}

const results: SearchResult[] = [
  { url: 'https://a.example/1', title: 'One', citeIndex: 1 },
  { url: 'https://b.example/2', title: 'Two [beta]', citeIndex: 2 },
  { url: 'https://c.example/(3) x', title: '', citeIndex: null },
  { url: 'javascript:alert(1)', title: 'Bad', citeIndex: 4 },
];
const LINK = {
  1: '[[1]](https://a.example/1)',
  2: '[[2]](https://b.example/2)',
  3: '[[3]](https://c.example/%283%29%20x)',
};
const usage = { promptTokens: 1, completionTokens: 1, reasoningTokens: 0, totalTokens: 2 };
const finish: ChatEvent = { type: 'finish', reason: 'stop', usage };
const sources: ChatEvent = { type: 'sources', results };
const content = (text: string): ChatEvent => ({ type: 'content', text });

/** All content text, with the source list cut off. */
const answerOf = (events: ChatEvent[]) =>
  events
    .filter((e) => e.type === 'content')
    .map((e) => e.text)
    .join('')
    .split(`\n\n${SOURCES_HEADING}`)[0];

/** An independent oracle: the whole text rewritten at once with a regex. */
function oracle(text: string): string {
  let zeroBased = false;
  return text.replace(/\[(citation|reference):(\d{1,6})\]/g, (_m, name: string, digits: string) => {
    let n = Number(digits);
    if (name === 'reference' && n === 0) zeroBased = true;
    if (name === 'reference' && zeroBased) n += 1;
    return (LINK as Record<number, string>)[n] ?? '';
  });
}

function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let last = 0;
  for (const point of points) {
    pieces.push(text.slice(last, point));
    last = point;
  }
  pieces.push(text.slice(last));
  return pieces;
}

describe('linkCitations', () => {
  const linked = (texts: string[], silent = true) =>
    run(linkCitations({ silent }), [sources, ...texts.filter((text) => text !== '').map(content), finish]);

  it('should turn markers into links to their source and keep the events in order', () => {
    const out = linked(['See [citation:1] and [citation:2][citation:3].']);
    expect(out).toEqual([sources, content(`See ${LINK[1]} and ${LINK[2]}${LINK[3]}.`), finish]);
  });

  it('should remove markers without a usable source', () => {
    expect(answerOf(linked(['a[citation:9]b[citation:4]c[citation:0]d']))).toBe('abcd');
  });

  it('should read [reference:N] as 1-based until a [reference:0] shows up', () => {
    expect(answerOf(linked(['[reference:1][reference:0][reference:1]']))).toBe(LINK[1] + LINK[1] + LINK[2]);
  });

  it('should leave look-alikes alone', () => {
    const text = '[citation:] [citation:x] [cite:1] [citation:1234567] [ citation:1] arr[1] [[x]]';
    expect(answerOf(linked([text]))).toBe(text);
  });

  it('should pass text without markers through as the same event', () => {
    const event = content('plain text');
    expect(run(linkCitations({ silent: true }), [event])[0]).toBe(event);
  });

  it('should hold back only a possible marker prefix', () => {
    const out = linked(['Answer [cita', 'tion:2] done [', 'x] [refer']);
    expect(out.filter((e) => e.type === 'content').map((e) => e.text)).toEqual([
      'Answer ',
      `${LINK[2]} done `,
      '[x] ',
      '[refer',
    ]);
  });

  it('should produce the same answer however the text is split', () => {
    const fragment = fc.oneof(
      fc.constantFrom('[citation:1]', '[citation:2]', '[citation:3]', '[citation:9]', '[reference:0]', '[reference:1]'),
      fc.constantFrom('[', ']', '[cit', 'ation', ':', '1', '[citation:', '[reference:2', '引用', ' ', '\n'),
      fc.string({ maxLength: 6 }),
    );
    const text = fc.array(fragment, { maxLength: 20 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (whole, cuts) => {
        const out = linked(splitAt(whole, cuts));
        expect(answerOf(out)).toBe(oracle(whole));
        expect(out.filter((e) => e.type === 'content').every((e) => e.text !== '')).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('should release after every delta all but a trailing possible marker prefix', () => {
    const possiblePrefix =
      /\[(?:c(?:i(?:t(?:a(?:t(?:i(?:o(?:n(?::\d{0,6})?)?)?)?)?)?)?)?|r(?:e(?:f(?:e(?:r(?:e(?:n(?:c(?:e(?::\d{0,6})?)?)?)?)?)?)?)?)?)?$/;
    const piece = fc.oneof(
      fc.constantFrom('[citation:1]', '[cit', 'ation:2', ']', '[ref', 'erence:0]', '[', 'x'),
      fc.string(),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const input = new Subject<ChatEvent>();
        const emitted: string[] = [];
        input.pipe(linkCitations({ silent: true })).subscribe((e) => e.type === 'content' && emitted.push(e.text));
        input.next(sources);
        let fed = '';
        for (const text of pieces.filter((p) => p !== '')) {
          input.next(content(text));
          fed += text;
          const tail = possiblePrefix.exec(fed)?.[0] ?? '';
          expect(emitted.join('')).toBe(oracle(fed.slice(0, fed.length - tail.length)));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('should split a marker at every position without losing or delaying other text', () => {
    const whole = 'x[citation:2]y[reference:12]z';
    for (let i = 0; i <= whole.length; i++) {
      for (let j = i; j <= whole.length; j++) {
        const out = linked([whole.slice(0, i), whole.slice(i, j), whole.slice(j)]);
        expect(answerOf(out)).toBe(`x${LINK[2]}yz`);
      }
    }
  });

  describe('source list', () => {
    const list = (...lines: string[]) => `\n\n${SOURCES_HEADING}\n\n${lines.join('\n')}`;

    it('should list the cited sources in number order before the finish', () => {
      const out = linked(['b[citation:2] a[citation:1] b again[citation:2]'], false);
      expect(out.at(-2)).toEqual(
        content(list('- [1] [One](https://a.example/1)', '- [2] [Two \\[beta\\]](https://b.example/2)')),
      );
      expect(out.at(-1)).toBe(finish);
    });

    it('should list every usable result when nothing was cited', () => {
      const out = linked(['no markers'], false);
      expect(out.at(-2)).toEqual(
        content(
          list(
            '- [1] [One](https://a.example/1)',
            '- [2] [Two \\[beta\\]](https://b.example/2)',
            '- [3] [https://c.example/%283%29%20x](https://c.example/%283%29%20x)',
          ),
        ),
      );
    });

    it('should list nothing when silent or without results', () => {
      expect(linked(['[citation:1]'], true).at(-2)).toEqual(content(LINK[1]));
      expect(run(linkCitations({ silent: false }), [content('x'), finish])).toEqual([content('x'), finish]);
    });

    it('should use the latest result list and drop markers seen before any results', () => {
      const out = run(linkCitations({ silent: true }), [
        content('[citation:1]'),
        { type: 'sources', results: [results[1]] },
        { type: 'sources', results },
        content('[citation:1]'),
        finish,
      ]);
      expect(answerOf(out)).toBe(LINK[1]);
    });

    it('should flush a held tail before the source list', () => {
      const out = linked(['see [citation:'], false);
      expect(out.filter((e) => e.type === 'content').map((e) => e.text)[1]).toBe('[citation:');
    });

    it('should drop a held tail and the source list once a content filter template voids the answer', () => {
      const template: ChatEvent = { type: 'template', text: 'No.' };
      const filtered = { ...finish, reason: 'content_filter' } as ChatEvent;
      const out = run(linkCitations({ silent: false }), [
        sources,
        content('a [citation:1] b [cita'),
        template,
        filtered,
      ]);
      expect(out).toEqual([sources, content(`a ${LINK[1]} b `), template, filtered]);
    });

    it('should flush a held tail when the stream ends without a finish', () => {
      expect(run(linkCitations({ silent: false }), [content('a [ref')])).toEqual([content('a '), content('[ref')]);
    });
  });
});
