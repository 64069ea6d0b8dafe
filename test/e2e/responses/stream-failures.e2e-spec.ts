import OpenAI from 'openai';
import { rawRequest } from '../../utils/http/raw-request';
import { expectAllIdle, expectSettled } from '../../utils/settle';
import { responsesEvents, responsesStreamViolations } from '../../utils/sse/responses-stream';
import { startStack, type Stack } from '../../utils/stack';

const TOKEN = 'tok-responses-failures';
const REPLY = { reasoning: '', content: 'A fairly long answer that arrives token by token.' };

describe('Responses streams that fail or wait (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: [TOKEN],
      fake: { reply: REPLY },
      env: { KEEPALIVE_INTERVAL_MS: '50', UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '1500' },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());

  const post = (body: object) =>
    rawRequest(`${stack.baseURL}/responses`, { model: 'deepseek-chat', stream: true, ...body }, { tokens: [TOKEN] });

  it('should end a stream that fails after the first bytes with response.failed and a real error code', async () => {
    stack.fake.addFault({
      fault: 'hint_error',
      account: TOKEN,
      endpoint: 'completion',
      params: { afterTokens: 3, message: 'Something odd happened.', finish_reason: 'something_odd' },
    });

    const events = responsesEvents((await post({ input: 'Is it good?' })).text);

    const types = events.map(({ data }) => data.type);
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types).toContain('response.output_text.delta');
    expect(types).not.toContain('response.completed');
    const failed = events.at(-1)!.data;
    expect(failed.type).toBe('response.failed');
    expect(failed.sequence_number).toBe(events.length - 1);
    expect(failed.response).toMatchObject({
      id: events[0].data.response.id,
      status: 'failed',
      error: { code: 'upstream_error', message: 'DeepSeek sent an unexpected answer.' },
    });
    await expectAllIdle(stack);
  });

  it('should fill a slow start with keepalive events the openai SDK accepts', async () => {
    stack.fake.addFault({ fault: 'slow_first_byte', account: TOKEN, endpoint: 'completion', params: { ms: 400 } });

    const events = responsesEvents((await post({ input: 'Slowly.' })).text);

    expect(responsesStreamViolations(events)).toEqual([]);
    expect(events.some(({ data }) => data.type === 'keepalive')).toBe(true);
    expect(events.at(-1)!.data.type).toBe('response.completed');

    stack.fake.addFault({ fault: 'slow_first_byte', account: TOKEN, endpoint: 'completion', params: { ms: 400 } });
    const client = new OpenAI({ baseURL: stack.baseURL, apiKey: TOKEN, maxRetries: 0 });
    const final = await client.responses.stream({ model: 'deepseek-chat', input: 'Again, slowly.' }).finalResponse();
    expect(final.output_text).toBe(REPLY.content);
    await expectAllIdle(stack);
  });

  it('should report a pre-flight failure after the keep-alives as response.failed', async () => {
    stack.fake.addFault({ fault: 'slow_first_byte', account: TOKEN, endpoint: 'completion', params: { ms: 5000 } });

    const response = await post({ input: 'Too slowly.' });

    expect(response.status).toBe(200);
    const events = responsesEvents(response.text);
    expect(events[0].data.type).toBe('response.created');
    expect(events.at(-1)!.data).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'upstream_timeout', message: 'DeepSeek did not answer in time.' } },
    });
    await expectSettled(stack);
  });
});
