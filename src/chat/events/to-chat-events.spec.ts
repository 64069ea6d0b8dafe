import { from, lastValueFrom, toArray } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import type { ChatEvent } from './chat-event';
import { FOLD_CLOSE, FOLD_OPEN } from './fold-reasoning';
import { SOURCES_HEADING } from './link-citations';
import { ChatEventOptions, toChatEvents } from './to-chat-events';

const upstream: DeepSeekEvent[] = [
  { type: 'ids', requestMessageId: 1, responseMessageId: 2 },
  { type: 'reasoning', text: 'Search says' },
  { type: 'reasoning', text: ' sunny.' },
  { type: 'search', results: [{ url: 'https://weather.example', title: 'Weather', citeIndex: 1 }] },
  { type: 'content', text: 'Sunny[cita' },
  { type: 'content', text: 'tion:1].' },
  { type: 'usage', totalTokens: 40 },
  { type: 'status', status: 'FINISHED' },
  { type: 'close' },
];

const options: ChatEventOptions = { thinking: true, fold: false, silent: false, promptTokens: 5 };
const run = (overrides: Partial<ChatEventOptions>) =>
  lastValueFrom(from(upstream).pipe(toChatEvents({ ...options, ...overrides }), toArray()));
const texts = (events: ChatEvent[], type: 'content' | 'reasoning') =>
  events
    .filter((e): e is Extract<ChatEvent, { text: string }> => e.type === type)
    .map((e) => e.text)
    .join('');
const sourceList = `\n\n${SOURCES_HEADING}\n\n- [1] [Weather](https://weather.example)`;

describe('toChatEvents', () => {
  it('should keep reasoning, link citations and append the source list', async () => {
    const events = await run({});
    expect(texts(events, 'reasoning')).toBe('Search says sunny.');
    expect(texts(events, 'content')).toBe(`Sunny[[1]](https://weather.example).${sourceList}`);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('should fold reasoning into the content', async () => {
    const events = await run({ fold: true });
    expect(texts(events, 'reasoning')).toBe('');
    expect(texts(events, 'content')).toBe(
      `${FOLD_OPEN}Search says sunny.${FOLD_CLOSE}Sunny[[1]](https://weather.example).${sourceList}`,
    );
  });

  it.each([true, false])(
    'should drop reasoning and the source list for a silent model (thinking: %s)',
    async (thinking) => {
      const events = await run({ thinking, silent: true });
      expect(events.map((e) => e.type)).toEqual(['sources', 'content', 'content', 'finish']);
      expect(texts(events, 'content')).toBe('Sunny[[1]](https://weather.example).');
    },
  );

  it('should end at a stop string with finish_reason stop, usage counting what was kept, reasoning untouched', async () => {
    const events = await run({ stop: ['ny['], silent: true });
    expect(texts(events, 'content')).toBe('Sun');
    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      stopSequence: 'ny[',
      usage: { promptTokens: 5, completionTokens: 1 + 4, reasoningTokens: 4, totalTokens: 10 },
    });
  });

  it('should end at max_completion_tokens with finish_reason length, reasoning counted', async () => {
    const events = await run({ tokenLimits: { answer: null, completion: 5 } });
    expect(texts(events, 'reasoning')).toBe('Search says sunny.');
    // The answer's one token; a search model's source list comes on top of the limit.
    expect(texts(events, 'content')).toBe(`Sunny${sourceList}`);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'length', usage: { completionTokens: 5 } });
  });
});
