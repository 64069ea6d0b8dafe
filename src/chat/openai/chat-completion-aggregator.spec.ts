import { defer, from, lastValueFrom, of, toArray } from 'rxjs';
import type { ChatEvent } from '../events/chat-event';
import { FOLD_CLOSE, FOLD_OPEN } from '../events/fold-reasoning';
import { ChatCompletionAggregator, toChatCompletion } from './chat-completion-aggregator';

const identity = { id: 'sess@2', created: 1764140000, model: 'deepseek-reasoner' };
const usage = { promptTokens: 3, completionTokens: 4, reasoningTokens: 1, totalTokens: 7 };
const events: ChatEvent[] = [
  { type: 'reasoning', text: 'Hmm' },
  { type: 'reasoning', text: '.' },
  { type: 'sources', results: [] },
  { type: 'content', text: 'Hel' },
  { type: 'content', text: 'lo' },
  { type: 'finish', reason: 'stop', usage },
];
const aggregate = (input: ChatEvent[], thinking: boolean, fold = false, silent = false) =>
  lastValueFrom(from(input).pipe(toChatCompletion(identity, { thinking, fold, silent })));
const filtered: ChatEvent[] = [
  { type: 'reasoning', text: 'Hmm.' },
  { type: 'content', text: 'Once upon' },
  { type: 'template', text: 'Let us talk' },
  { type: 'template', text: ' about something else.' },
  { type: 'finish', reason: 'content_filter', usage },
];

describe('toChatCompletion', () => {
  it('should build the documented chat.completion', async () => {
    expect(await aggregate(events, true)).toEqual({
      id: 'sess@2',
      object: 'chat.completion',
      created: 1764140000,
      model: 'deepseek-reasoner',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello', refusal: null, reasoning_content: 'Hmm.' },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 3,
        completion_tokens: 4,
        total_tokens: 7,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 1 },
      },
    });
  });

  it('should write the message keys in the documented order', async () => {
    const completion = await aggregate(events, true);
    expect(Object.keys(completion)).toEqual(['id', 'object', 'created', 'model', 'choices', 'usage']);
    expect(Object.keys(completion.choices[0].message)).toEqual(['role', 'content', 'refusal', 'reasoning_content']);
  });

  it('should leave reasoning_content out without thinking, when silent, or when it was folded', async () => {
    expect('reasoning_content' in (await aggregate(events, false)).choices[0].message).toBe(false);
    expect('reasoning_content' in (await aggregate(events, true, true)).choices[0].message).toBe(false);
    expect('reasoning_content' in (await aggregate(events, true, false, true)).choices[0].message).toBe(false);
  });

  it('should fold the reasoning into a details block before the answer', async () => {
    const { message } = (await aggregate(events, true, true)).choices[0];
    expect(message.content).toBe(`${FOLD_OPEN}Hmm.${FOLD_CLOSE}Hello`);
    expect((await aggregate(events.slice(2), true, true)).choices[0].message.content).toBe('Hello');
  });

  it('should answer a filtered message with the template alone, keeping the reasoning', async () => {
    const completion = await aggregate(filtered, true);
    expect(completion.choices[0]).toMatchObject({
      message: { content: 'Let us talk about something else.', reasoning_content: 'Hmm.' },
      finish_reason: 'content_filter',
    });
    const folded = await aggregate(filtered, true, true);
    expect(folded.choices[0].message.content).toBe(`${FOLD_OPEN}Hmm.${FOLD_CLOSE}Let us talk about something else.`);
  });

  it('should keep an empty answer a string', async () => {
    const completion = await aggregate([{ type: 'finish', reason: 'content_filter', usage }], true);
    expect(completion.choices[0]).toMatchObject({
      message: { content: '', reasoning_content: '' },
      finish_reason: 'content_filter',
    });
  });

  it('should report a cut answer as length, without usage, when no finish arrived', async () => {
    const completion = await aggregate([{ type: 'content', text: 'x' }], false);
    expect(completion.choices[0].finish_reason).toBe('length');
    expect('usage' in completion).toBe(false);
  });

  it('should emit exactly once, with a fresh aggregate per subscription', async () => {
    const completion$ = defer(() => of(...events)).pipe(
      toChatCompletion(identity, { thinking: true, fold: false, silent: false }),
    );
    expect(await lastValueFrom(completion$.pipe(toArray()))).toHaveLength(1);
    expect((await lastValueFrom(completion$)).choices[0].message.content).toBe('Hello');
  });

  it('should be usable without rxjs', () => {
    const aggregator = new ChatCompletionAggregator(identity, { thinking: false, fold: false, silent: false });
    for (const event of events) aggregator.add(event);
    expect(aggregator.result().choices[0].message.content).toBe('Hello');
  });
});
