import { from } from 'rxjs';
import type { ChatEvent } from './chat-event';
import { FOLD_CLOSE, FOLD_OPEN, foldedReasoning, foldReasoning } from './fold-reasoning';

function fold(events: ChatEvent[]): ChatEvent[] {
  const out: ChatEvent[] = [];
  from(events)
    .pipe(foldReasoning())
    .subscribe((event) => out.push(event));
  return out;
}

const usage = { promptTokens: 1, completionTokens: 1, reasoningTokens: 0, totalTokens: 2 };
const finish: ChatEvent = { type: 'finish', reason: 'stop', usage };
const reasoning = (text: string): ChatEvent => ({ type: 'reasoning', text });
const content = (text: string): ChatEvent => ({ type: 'content', text });

describe('foldReasoning', () => {
  it('should open on the first reasoning and close before the first answer text', () => {
    expect(fold([reasoning('Let me '), reasoning('think.'), content('Answer'), content('!'), finish])).toEqual([
      content(`${FOLD_OPEN}Let me `),
      content('think.'),
      content(`${FOLD_CLOSE}Answer`),
      content('!'),
      finish,
    ]);
  });

  it('should close at the finish when no answer came', () => {
    expect(fold([reasoning('hmm'), finish])).toEqual([content(`${FOLD_OPEN}hmm`), content(FOLD_CLOSE), finish]);
  });

  it('should close at the end of a stream without finish', () => {
    expect(fold([reasoning('hmm')])).toEqual([content(`${FOLD_OPEN}hmm`), content(FOLD_CLOSE)]);
  });

  it('should leave a stream without reasoning untouched', () => {
    const events = [content('a'), { type: 'sources', results: [] } as ChatEvent, finish];
    expect(fold(events)).toEqual(events);
  });

  it('should keep the block open across sources events', () => {
    const sources: ChatEvent = { type: 'sources', results: [] };
    expect(fold([reasoning('r'), sources, content('a')])).toEqual([
      content(`${FOLD_OPEN}r`),
      sources,
      content(`${FOLD_CLOSE}a`),
    ]);
  });

  it('should close the block before a content filter template', () => {
    const template: ChatEvent = { type: 'template', text: 'No.' };
    expect(fold([reasoning('hmm'), template, finish])).toEqual([
      content(`${FOLD_OPEN}hmm`),
      content(FOLD_CLOSE),
      template,
      finish,
    ]);
  });

  it('should fold in one go what the stream folds piece by piece', () => {
    const streamed = fold([reasoning('r1'), reasoning('r2'), content('a')])
      .map((e) => (e.type === 'content' ? e.text : ''))
      .join('');
    expect(streamed).toBe(`${foldedReasoning('r1r2')}a`);
    expect(foldedReasoning('')).toBe('');
  });

  it('should produce a well-formed details block', () => {
    const text = fold([reasoning('r1'), reasoning('r2'), content('a'), finish])
      .filter((e) => e.type === 'content')
      .map((e) => e.text)
      .join('');
    expect(text).toBe('<details><summary>Thinking</summary>\n\nr1r2\n\n</details>\n\na');
  });
});
