import { firstValueFrom, from, toArray } from 'rxjs';
import { ApiError } from '../common/errors/api-error';
import type { ChatEvent } from '../chat/events/chat-event';
import type { ChatUsage } from '../chat/usage';
import { toAnthropicMessage } from './anthropic-message-aggregator';
import { anthropicErrorFrame, anthropicFrame, toAnthropicSse } from './anthropic-sse';

const identity = { id: 'msg_1', model: 'claude-x' };
const usage: ChatUsage = { promptTokens: 7, completionTokens: 5, reasoningTokens: 2, totalTokens: 12 };
const finish = (reason: Extract<ChatEvent, { type: 'finish' }>['reason'], stopSequence?: string): ChatEvent =>
  stopSequence === undefined ? { type: 'finish', reason, usage } : { type: 'finish', reason, usage, stopSequence };
const call = (index: number, name: string, argumentsJson: string): ChatEvent => ({
  type: 'toolCall',
  index,
  id: `call_${index}`,
  name,
  kind: 'function',
  argumentsJson,
});

const ANSWER: ChatEvent[] = [
  { type: 'reasoning', text: 'Think' },
  { type: 'reasoning', text: 'ing.' },
  { type: 'content', text: 'Let me ' },
  { type: 'content', text: 'check.' },
  call(0, 'get_weather', '{"city":"Paris"}'),
  call(1, 'get_time', '{}'),
  finish('tool_calls'),
];

const message = (events: ChatEvent[]) => firstValueFrom(from(events).pipe(toAnthropicMessage(identity, 3)));

async function streamEvents(events: ChatEvent[]): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = (await firstValueFrom(from(events).pipe(toAnthropicSse(identity, 3), toArray()))).join('');
  return text
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return {
        event: eventLine.replace('event: ', ''),
        data: JSON.parse(dataLine.replace('data: ', '')) as Record<string, unknown>,
      };
    });
}

describe('toAnthropicMessage', () => {
  it('should order the content thinking (signed), text, tool calls, with the stop reason and usage', async () => {
    const result = await message(ANSWER);
    expect(result).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'Thinking.', signature: expect.stringMatching(/^[\w-]{20,}$/) as string },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_0', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_1', name: 'get_time', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 7, output_tokens: 5 },
    });
  });

  it.each<[string, ChatEvent, object]>([
    ['stop', finish('stop'), { stop_reason: 'end_turn', stop_sequence: null }],
    ['a stop string', finish('stop', 'END'), { stop_reason: 'stop_sequence', stop_sequence: 'END' }],
    ['length', finish('length'), { stop_reason: 'max_tokens', stop_sequence: null }],
    ['content_filter', finish('content_filter'), { stop_reason: 'refusal', stop_sequence: null }],
  ])('should report a finish by %s', async (_, end, expected) => {
    expect(await message([{ type: 'content', text: 'Hi' }, end])).toMatchObject(expected);
  });

  it('should let a template replace the answer, a replaced reasoning win, and keep an empty answer as one text block', async () => {
    const filtered = await message([
      { type: 'reasoning', text: 'long' },
      { type: 'reasoningReplaced', text: 'short' },
      { type: 'content', text: 'voided' },
      { type: 'template', text: 'Sorry.' },
      finish('content_filter'),
    ]);
    expect(filtered.content).toEqual([
      { type: 'thinking', thinking: 'short', signature: expect.any(String) as string },
      { type: 'text', text: 'Sorry.' },
    ]);
    expect((await message([finish('stop')])).content).toEqual([{ type: 'text', text: '' }]);
  });
});

describe('toAnthropicSse', () => {
  it('should write every event with its event line, blocks in index order, signature before the thinking stop', async () => {
    const events = await streamEvents(ANSWER);
    for (const { event, data } of events) expect(event).toBe(data.type);
    expect(
      events.map(({ data }) => [data.type, data.index ?? null, (data.delta as { type?: string })?.type ?? null]),
    ).toEqual([
      ['message_start', null, null],
      ['content_block_start', 0, null],
      ['content_block_delta', 0, 'thinking_delta'],
      ['content_block_delta', 0, 'thinking_delta'],
      ['content_block_delta', 0, 'signature_delta'],
      ['content_block_stop', 0, null],
      ['content_block_start', 1, null],
      ['content_block_delta', 1, 'text_delta'],
      ['content_block_delta', 1, 'text_delta'],
      ['content_block_stop', 1, null],
      ['content_block_start', 2, null],
      ['content_block_delta', 2, 'input_json_delta'],
      ['content_block_stop', 2, null],
      ['content_block_start', 3, null],
      ['content_block_delta', 3, 'input_json_delta'],
      ['content_block_stop', 3, null],
      ['message_delta', null, null],
      ['message_stop', null, null],
    ]);
    expect(events[0].data.message).toMatchObject({
      id: 'msg_1',
      model: 'claude-x',
      content: [],
      usage: { input_tokens: 3 },
    });
    expect(events[10].data.content_block).toEqual({ type: 'tool_use', id: 'toolu_0', name: 'get_weather', input: {} });
    expect(events[11].data.delta).toEqual({ type: 'input_json_delta', partial_json: '{"city":"Paris"}' });
    expect(events.at(-2)?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 7, output_tokens: 5 },
    });
  });

  it('should name the stop string in message_delta, and send no [DONE]', async () => {
    const events = await streamEvents([{ type: 'content', text: 'Hi' }, finish('stop', 'END')]);
    expect(events.at(-2)?.data.delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
    expect(events.at(-1)?.data).toEqual({ type: 'message_stop' });
  });

  it('should write text and thinking deltas byte for byte as the event objects would be written', async () => {
    const texts = ['plain', 'quote " and \\ backslash', 'line\nbreak\ttab', '中文 🙂', '\u2028\u0000'];
    const events: ChatEvent[] = [
      ...texts.map((text): ChatEvent => ({ type: 'reasoning', text })),
      ...texts.map((text): ChatEvent => ({ type: 'content', text })),
    ];
    const text = (await firstValueFrom(from(events).pipe(toAnthropicSse(identity, 3), toArray()))).join('');
    for (const [index, type, field] of [
      [0, 'thinking_delta', 'thinking'],
      [1, 'text_delta', 'text'],
    ] as const) {
      for (const delta of texts) {
        const event = { type: 'content_block_delta', index, delta: { type, [field]: delta } };
        expect(text).toContain(anthropicFrame(event));
      }
    }
  });

  it('should write an error as an error event', () => {
    const frame = anthropicErrorFrame(new ApiError(503, 'Try later.', { code: 'accounts_exhausted' }));
    expect(frame).toBe('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Try later."}}\n\n');
  });
});
