import { from, lastValueFrom, Observable, toArray } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import { UpstreamError } from '../../deepseek/upstream-error';
import { estimateTokens } from '../usage';
import type { ChatEvent } from './chat-event';
import { finishReasonFor, fromUpstream } from './from-upstream';

const collect = (events: Observable<ChatEvent>) => lastValueFrom(events.pipe(toArray()));
const transform = (events: DeepSeekEvent[], thinking = true, promptTokens = 10, silent = false) =>
  collect(from(events).pipe(fromUpstream({ thinking, silent, promptTokens })));

const finished: DeepSeekEvent = { type: 'status', status: 'FINISHED' };

describe('fromUpstream', () => {
  it('should keep reasoning before content when thinking was requested', async () => {
    const out = await transform([
      { type: 'ids', requestMessageId: 1, responseMessageId: 2 },
      { type: 'reasoning', text: 'Hmm.' },
      { type: 'content', text: 'Hi' },
      finished,
      { type: 'title', title: 'T' },
      { type: 'close' },
    ]);
    expect(out.map((e) => e.type)).toEqual(['reasoning', 'content', 'finish']);
    expect(out[0]).toEqual({ type: 'reasoning', text: 'Hmm.' });
  });

  it('should drop reasoning unless thinking was requested, but still count it', async () => {
    const out = await transform(
      [{ type: 'reasoning', text: 'Hmm hmm.' }, { type: 'content', text: 'Hi' }, finished],
      false,
    );
    expect(out.map((e) => e.type)).toEqual(['content', 'finish']);
    expect(out.at(-1)).toMatchObject({ usage: { reasoningTokens: estimateTokens('Hmm hmm.') } });
  });

  it('should drop reasoning for a silent model, which still thinks upstream, but still count it', async () => {
    const out = await transform(
      [{ type: 'reasoning', text: 'Hmm hmm.' }, { type: 'content', text: 'Hi' }, finished],
      true,
      10,
      true,
    );
    expect(out.map((e) => e.type)).toEqual(['content', 'finish']);
    expect(out.at(-1)).toMatchObject({ usage: { reasoningTokens: estimateTokens('Hmm hmm.') } });
  });

  it('should never emit empty text', async () => {
    const out = await transform([
      { type: 'reasoning', text: '' },
      { type: 'content', text: '' },
      { type: 'template', text: '' },
    ]);
    expect(out.map((e) => e.type)).toEqual(['finish']);
  });

  it('should keep whitespace-only tokens verbatim', async () => {
    const out = await transform([{ type: 'content', text: ' ' }, { type: 'content', text: '\n\n' }, finished]);
    expect(out.slice(0, 2)).toEqual([
      { type: 'content', text: ' ' },
      { type: 'content', text: '\n\n' },
    ]);
  });

  it('should pass a content filter template on as such, with finish content_filter', async () => {
    const out = await transform([
      { type: 'content', text: 'Partial' },
      { type: 'template', text: '你好，这个问题我暂时无法回答' },
      { type: 'template', text: '。' },
      { type: 'status', status: 'CONTENT_FILTER' },
    ]);
    expect(out.slice(0, 3)).toEqual([
      { type: 'content', text: 'Partial' },
      { type: 'template', text: '你好，这个问题我暂时无法回答' },
      { type: 'template', text: '。' },
    ]);
    expect(out[3]).toMatchObject({ type: 'finish', reason: 'content_filter' });
  });

  it('should pass search results on as sources', async () => {
    const results = [{ url: 'https://x', title: 'X', citeIndex: 1 }];
    const out = await transform([{ type: 'search', results }, finished]);
    expect(out[0]).toEqual({ type: 'sources', results });
  });

  it.each<[string | null, string]>([
    ['FINISHED', 'stop'],
    ['CONTENT_FILTER', 'content_filter'],
    ['INCOMPLETE', 'length'],
    ['AUTO_CONTINUE', 'length'],
    ['CONTEXT_LENGTH_EXCEEDED', 'length'],
    ['WIP', 'length'],
    [null, 'length'],
    ['SOMETHING_NEW', 'stop'],
  ])('should map the terminal status %s to finish_reason %s', (status, reason) => {
    expect(finishReasonFor(status)).toBe(reason);
  });

  it('should decide the finish reason by the last status', async () => {
    const out = await transform([
      { type: 'status', status: 'INCOMPLETE' },
      { type: 'content', text: 'more' },
      finished,
    ]);
    expect(out.at(-1)).toMatchObject({ reason: 'stop' });
  });

  it('should split the upstream total into prompt and answer and add reasoning on top', async () => {
    const out = await transform(
      [
        { type: 'reasoning', text: '我们需要思考这个问题。' },
        { type: 'content', text: 'Hello there' },
        { type: 'usage', totalTokens: 50 },
        { type: 'usage', totalTokens: 60 },
        finished,
      ],
      true,
      7,
    );
    const answer = estimateTokens('Hello there');
    const reasoning = estimateTokens('我们需要思考这个问题。');
    expect(out.at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      usage: {
        promptTokens: 60 - answer,
        completionTokens: answer + reasoning,
        reasoningTokens: reasoning,
        totalTokens: 60 + reasoning,
      },
    });
  });

  it('should estimate everything when the upstream sent no usage', async () => {
    const out = await transform([{ type: 'content', text: 'Hello there' }, finished], true, 7);
    const answer = estimateTokens('Hello there');
    expect(out.at(-1)).toMatchObject({
      usage: { promptTokens: 7, completionTokens: answer, reasoningTokens: 0, totalTokens: 7 + answer },
    });
  });

  it('should turn an in-stream error event into the stream error', async () => {
    const error = await transform([
      { type: 'content', text: 'x' },
      { type: 'error', message: 'Content is too long.', finishReason: 'input_exceeds_limit' },
      finished,
    ]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).message).toBe('Content is too long.');
  });

  it('should pass an upstream Observable error through untouched', async () => {
    const failure = new UpstreamError('network', 'socket hang up');
    const events = new Observable<DeepSeekEvent>((subscriber) => {
      subscriber.next({ type: 'content', text: 'x' });
      subscriber.error(failure);
    });
    await expect(collect(events.pipe(fromUpstream({ thinking: false, silent: false, promptTokens: 1 })))).rejects.toBe(
      failure,
    );
  });
});
