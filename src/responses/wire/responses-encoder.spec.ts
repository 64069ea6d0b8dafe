import { firstValueFrom, from, lastValueFrom, toArray } from 'rxjs';
import type { ChatEvent } from '../../chat/events/chat-event';
import { ApiError } from '../../common/errors/api-error';
import { responsesEncoder, type ResponsesEncoderOptions } from './responses-encoder';
import type { ResponseEcho, ResponseObject } from './responses-types';

const ANSWER = { model: 'deepseek-chat', sessionId: 's', responseMessageId: 2 };
const USAGE = { promptTokens: 10, completionTokens: 5, reasoningTokens: 2, totalTokens: 15 };
const ECHO: ResponseEcho = {
  instructions: null,
  model: 'deepseek-chat',
  tools: [],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  temperature: null,
  top_p: null,
  max_output_tokens: null,
  previous_response_id: null,
  metadata: {},
  store: true,
  reasoning: null,
  text: { format: { type: 'text' } },
};
const EVENTS: ChatEvent[] = [
  { type: 'reasoning', text: 'Think ' },
  { type: 'reasoning', text: 'hard.' },
  { type: 'content', text: 'Hello ' },
  { type: 'content', text: 'there.' },
  { type: 'toolCall', index: 0, id: 'call_a', name: 'exec', kind: 'function', argumentsJson: '{"cmd":"ls"}' },
  { type: 'toolCall', index: 1, id: 'call_b', name: 'apply_patch', kind: 'custom', argumentsJson: '{"input":"a\\nb"}' },
  { type: 'finish', reason: 'tool_calls', usage: USAGE },
];

function encoder(echo: Partial<ResponseEcho> = {}, onFinished?: ResponsesEncoderOptions['onFinished']) {
  return responsesEncoder({
    identity: { id: 'resp_1', createdAt: 1700000000 },
    echo: { ...ECHO, ...echo },
    onFinished,
  });
}

/** The frames of a stream as `[event name, data]`. */
async function stream(events: ChatEvent[], echo: Partial<ResponseEcho> = {}) {
  const wire = encoder(echo);
  const text = wire.preamble!() + (await lastValueFrom(from(events).pipe(wire.frames(ANSWER), toArray()))).join('');
  return text
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const [event, data] = frame.split('\n');
      return [event.slice('event: '.length), JSON.parse(data.slice('data: '.length))] as [string, any];
    });
}

describe('responsesEncoder', () => {
  it('should write each frame as its event with sequence_number last, byte for byte', async () => {
    const wire = encoder();
    const text = wire.preamble!() + (await lastValueFrom(from(EVENTS).pipe(wire.frames(ANSWER), toArray()))).join('');
    for (const frame of text.split('\n\n').filter((f) => f !== '')) {
      const [eventLine, dataLine] = frame.split('\n');
      const { sequence_number: sequence, ...event } = JSON.parse(dataLine.slice('data: '.length)) as Record<
        string,
        unknown
      >;
      expect(`${eventLine}\n${dataLine}`).toBe(
        `event: ${String(event.type)}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}`,
      );
    }
  });

  it('should stream items one after another, numbered from 0, each event named by its type', async () => {
    const frames = await stream(EVENTS);

    expect(frames.map(([, data]) => data.sequence_number)).toEqual(frames.map((_, i) => i));
    expect(frames.every(([event, data]) => event === data.type)).toBe(true);
    expect(frames.map(([, data]) => data.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.custom_tool_call_input.delta',
      'response.custom_tool_call_input.done',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('should end with every streamed item in response.completed, with usage', async () => {
    const frames = await stream(EVENTS);

    const done = frames.filter(([event]) => event === 'response.output_item.done').map(([, data]) => data.item);
    const completed = frames.at(-1)![1].response;
    expect(completed.output).toEqual(done);
    expect(done.map((item: { type: string }) => item.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
      'custom_tool_call',
    ]);
    expect(done[1].content).toEqual([{ type: 'output_text', text: 'Hello there.', annotations: [], logprobs: [] }]);
    expect(done[2]).toMatchObject({ call_id: 'call_a', arguments: '{"cmd":"ls"}', status: 'completed' });
    expect(done[3]).toMatchObject({ call_id: 'call_b', input: 'a\nb', status: 'completed' });
    expect(completed).toMatchObject({ id: 'resp_1', status: 'completed', error: null });
    expect(completed.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 2 },
      total_tokens: 15,
    });
    expect(frames[0][1].response).toMatchObject({ id: 'resp_1', status: 'in_progress', output: [] });
  });

  it('should open each item before its deltas, with output_index the number of items before it', async () => {
    const frames = await stream(EVENTS);

    const added = frames.filter(([event]) => event === 'response.output_item.added').map(([, data]) => data);
    expect(added.map((data) => data.output_index)).toEqual([0, 1, 2, 3]);
    expect(added[2].item).toMatchObject({ type: 'function_call', arguments: '', status: 'in_progress' });
    expect(added[3].item).toMatchObject({ type: 'custom_tool_call', input: '' });
  });

  it('should be incomplete on a length cut only when max_output_tokens was set', async () => {
    const cut: ChatEvent[] = [
      { type: 'content', text: 'Partial' },
      { type: 'finish', reason: 'length', usage: USAGE },
    ];

    const limited = (await stream(cut, { max_output_tokens: 3 })).at(-1)![1];
    expect(limited.type).toBe('response.incomplete');
    expect(limited.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect((await stream(cut)).at(-1)![1].type).toBe('response.completed');
  });

  it('should give the same response as a non-stream body, and hand it over once finished', async () => {
    const finished: ResponseObject[] = [];
    const body = await firstValueFrom(
      from(EVENTS).pipe(encoder({}, (response) => void finished.push(response)).body(ANSWER)),
    );

    expect(finished).toEqual([body]);
    const streamed = (await stream(EVENTS)).at(-1)![1].response;
    const shape = (response: ResponseObject) => response.output.map(({ id: _id, ...item }) => item);
    expect(shape(body)).toEqual(shape(streamed));
  });

  it('should send the body and the closing frames only once onFinished has settled (the response is stored)', async () => {
    const order: string[] = [];
    const storing = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      order.push('stored');
    };
    const body = firstValueFrom(from(EVENTS).pipe(encoder({}, storing).body(ANSWER)));
    await body.then(() => order.push('body'));
    const frames = lastValueFrom(from(EVENTS).pipe(encoder({}, storing).frames(ANSWER), toArray()));
    await frames.then(() => order.push('closing frames'));

    expect(order).toEqual(['stored', 'body', 'stored', 'closing frames']);
  });

  it('should keep only a content filter template and the replaced reasoning in a non-stream body', async () => {
    const body = await firstValueFrom(
      from<ChatEvent[]>([
        { type: 'reasoning', text: 'Reason and <call>' },
        { type: 'content', text: 'Voided text.' },
        { type: 'template', text: 'Let us talk about something else.' },
        { type: 'reasoningReplaced', text: 'Reason' },
        { type: 'finish', reason: 'content_filter', usage: USAGE },
      ]).pipe(encoder().body(ANSWER)),
    );

    expect(body.output).toMatchObject([
      { type: 'reasoning', summary: [{ text: 'Reason' }] },
      { type: 'message', content: [{ text: 'Let us talk about something else.' }] },
    ]);
  });

  it('should report a failure as response.failed with the items so far and a code clients act on', async () => {
    const wire = encoder();
    wire.preamble!();
    await lastValueFrom(from<ChatEvent[]>([{ type: 'content', text: 'Hi' }]).pipe(wire.frames(ANSWER), toArray()));
    const rateLimited = wire.errorFrame(ApiError.rateLimited('All accounts are busy.', 7));
    const [event, data] = rateLimited.trimEnd().split('\n');

    expect(event).toBe('event: response.failed');
    const failed = JSON.parse(data.slice('data: '.length));
    expect(failed.sequence_number).toBeGreaterThan(4);
    expect(failed.response.status).toBe('failed');
    expect(failed.response.error).toEqual({
      code: 'rate_limit_exceeded',
      message: 'All accounts are busy. Please try again in 7s.',
    });
    const tooLong = ApiError.badRequest('Too long.', 'messages', 'context_length_exceeded');
    expect(JSON.parse(encoder().errorFrame(tooLong).split('data: ')[1]).response.error).toEqual({
      code: 'context_length_exceeded',
      message: 'Too long.',
    });
  });

  it('should send keep-alives as numbered keepalive events', () => {
    const wire = encoder();
    wire.preamble!();

    expect(wire.keepAliveFrame!()).toBe('event: keepalive\ndata: {"type":"keepalive","sequence_number":2}\n\n');
  });
});
