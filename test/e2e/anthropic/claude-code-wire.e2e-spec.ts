import { readSseBlocks } from '../../utils/sse/sse-reader';
import { rawRequest } from '../../utils/http/raw-request';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { onlyUpstreamMessage } from '../../utils/upstream-view';

const API_KEY = 'key-claude-code';
const ACCOUNT = 'tok-claude-code';
const REPLY = 'Hello! How can I help you today?';

/** ~20 tools shaped like a coding agent's: name, long description, an input_schema with required fields. */
const TOOLS = Array.from({ length: 20 }, (_, i) => ({
  name: `Tool${i}`,
  description: `Does task number ${i}. Use it when the user asks for task ${i}.`,
  input_schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { path: { type: 'string', description: 'An absolute path' }, limit: { type: 'number' } },
    required: ['path'],
    additionalProperties: false,
  },
}));

/** A request as a coding agent sends it, written from Anthropic's wire format. */
const CLAUDE_CODE_BODY = {
  model: 'claude-sonnet-4-5-20250929',
  max_tokens: 32000,
  stream: true,
  thinking: { type: 'enabled', budget_tokens: 31999 },
  metadata: { user_id: 'user_abc_account__session_123' },
  system: [
    { type: 'text', text: 'You are a coding agent.', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'Answer briefly.', cache_control: { type: 'ephemeral' } },
  ],
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: '<system-reminder>context</system-reminder>' },
        { type: 'text', text: 'Say hello.', cache_control: { type: 'ephemeral' } },
      ],
    },
  ],
  tools: TOOLS,
  temperature: 1,
};

interface WireEvent {
  event: string | null;
  data: { type: string; index?: number; [key: string]: unknown };
}

function wireEvents(text: string): WireEvent[] {
  return readSseBlocks(text).blocks.map((block) => ({
    event: block.event,
    data: JSON.parse(block.data ?? 'null') as WireEvent['data'],
  }));
}

/** The stream invariants every Anthropic client relies on. */
function expectWellFormedStream(events: WireEvent[]): void {
  for (const { event, data } of events) expect(event).toBe(data.type);
  const types = events.map((e) => e.data.type).filter((type) => type !== 'ping');
  expect(types[0]).toBe('message_start');
  expect(events.find((e) => e.data.type === 'message_start')?.data.message).toMatchObject({ content: [] });
  expect(types.at(-1)).toBe('message_stop');
  expect(types.at(-2)).toBe('message_delta');
  const started: number[] = [];
  const stopped: number[] = [];
  for (const { data } of events) {
    if (data.type === 'content_block_start') {
      expect(data.index).toBe(started.length);
      started.push(data.index!);
    } else if (data.type === 'content_block_delta') {
      expect(started.at(-1)).toBe(data.index);
      expect(stopped).not.toContain(data.index);
    } else if (data.type === 'content_block_stop') {
      expect(started.at(-1)).toBe(data.index);
      stopped.push(data.index!);
    }
  }
  expect(stopped).toEqual(started);
  const delta = events.find((e) => e.data.type === 'message_delta')!.data;
  expect(delta).toMatchObject({ usage: { output_tokens: expect.any(Number) as number } });
}

describe('a Claude Code-shaped request on the wire (e2e)', () => {
  let stack: Stack;
  const url = (path: string) => `${stack.server.url}${path}`;

  beforeAll(async () => {
    stack = await startStack({ tokens: [ACCOUNT], env: { DEEPSEEK_TOKENS: ACCOUNT, API_KEYS: API_KEY } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should stream a well-formed event sequence with thinking first, and send the tools upstream', async () => {
    const res = await rawRequest(url('/v1/messages?beta=true'), CLAUDE_CODE_BODY, {
      headers: {
        'x-api-key': API_KEY,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
      },
    });

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = wireEvents(res.text);
    expectWellFormedStream(events);
    const blocks = events.filter((e) => e.data.type === 'content_block_start').map((e) => e.data.content_block);
    expect(blocks).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'text', text: '' },
    ]);
    const deltas = events
      .filter((e) => e.data.type === 'content_block_delta')
      .map((e) => e.data.delta as { type: string });
    expect(deltas.findLast((d) => d.type.startsWith('thinking') || d.type === 'signature_delta')?.type).toBe(
      'signature_delta',
    );
    expect(res.text).not.toContain('[DONE]');
    const upstream = onlyUpstreamMessage(stack.fake);
    expect(upstream.thinkingEnabled).toBe(true);
    for (const tool of TOOLS) expect(upstream.prompt).toContain(tool.name);
    expect(upstream.prompt).toContain('You are a coding agent.');
  });

  it('should stream a tool_use block as input_json_delta after a start with an empty input', async () => {
    stack.fake.configure({
      reply: {
        content:
          '<|DSML|tool_calls>\n<|DSML|invoke name="Tool3">\n<|DSML|parameter name="path" string="true">/tmp/a</|DSML|parameter>\n</|DSML|invoke>\n</|DSML|tool_calls>',
      },
    });

    const res = await rawRequest(url('/anthropic/v1/messages'), CLAUDE_CODE_BODY, { tokens: [API_KEY] });

    const events = wireEvents(res.text);
    expectWellFormedStream(events);
    const start = events.find(
      (e) => e.data.type === 'content_block_start' && (e.data.content_block as { type: string }).type === 'tool_use',
    )!;
    expect(start.data.content_block).toMatchObject({
      name: 'Tool3',
      input: {},
      id: expect.stringMatching(/^toolu_/) as string,
    });
    const json = events
      .filter((e) => e.data.index === start.data.index && e.data.type === 'content_block_delta')
      .map((e) => (e.data.delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ path: '/tmp/a' });
    expect(events.find((e) => e.data.type === 'message_delta')?.data.delta).toEqual({
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
  });

  it('should end at a stop sequence and name it', async () => {
    const body = {
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      stop_sequences: ['help'],
      messages: [{ role: 'user', content: 'Hi' }],
    };

    const res = await rawRequest(url('/v1/messages'), body, { headers: { 'x-api-key': API_KEY } });

    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      content: [{ type: 'text', text: 'Hello! How can I ' }],
      stop_reason: 'stop_sequence',
      stop_sequence: 'help',
    });
  });

  it.each([
    ['x-api-key', { 'x-api-key': API_KEY }],
    ['Authorization: Bearer', { authorization: `Bearer ${API_KEY}` }],
  ])('should accept the key as %s', async (_, headers) => {
    const body = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };

    const res = await rawRequest(url('/v1/messages'), body, { headers });

    expect(res.status).toBe(200);
    expect(res.json.content).toEqual([{ type: 'text', text: REPLY }]);
  });

  it("should refuse a block it cannot send with 400 unsupported_content naming it, in Anthropic's error shape", async () => {
    // Images are attachments now; a search result still has nowhere to go.
    const body = {
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [
        {
          role: 'user',
          content: [{ type: 'search_result', source: 'https://example.com', title: 'T', content: [] }],
        },
      ],
    };

    const res = await rawRequest(url('/v1/messages'), body, { headers: { 'x-api-key': API_KEY } });

    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining("'messages[0].content[0]'") as string },
      request_id: res.headers['request-id'],
    });
    expect(stack.fake.state().requests.completion ?? 0).toBe(0);
  });

  it("should refuse a missing key before the body with 401 in Anthropic's shape", async () => {
    const res = await rawRequest(
      url('/v1/messages'),
      { model: 'claude-haiku-4-5' },
      { headers: { 'anthropic-version': '2023-06-01' } },
    );

    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(res.json.request_id).toBe(res.headers['request-id']);
  });

  it("should list the models in Anthropic's shape for a client that sends anthropic-version, OpenAI's otherwise", async () => {
    const anthropic = await rawRequest(url('/v1/models'), undefined, {
      headers: { 'x-api-key': API_KEY, 'anthropic-version': '2023-06-01' },
    });
    const openai = await rawRequest(url('/v1/models'), undefined, { tokens: [API_KEY] });

    expect(anthropic.json).toMatchObject({ has_more: false, first_id: 'deepseek-chat' });
    expect(anthropic.json.data[0]).toEqual({
      type: 'model',
      id: 'deepseek-chat',
      display_name: 'deepseek-chat',
      created_at: '2025-01-01T00:00:00.000Z',
    });
    expect(anthropic.json.last_id).toBe(anthropic.json.data.at(-1).id);
    expect(openai.json.object).toBe('list');
    expect(openai.json.data[0]).toMatchObject({ id: 'deepseek-chat', object: 'model' });
  });
});

describe('Anthropic stream failures and keep-alives on the wire (e2e)', () => {
  let stack: Stack;
  const body = { model: 'claude-haiku-4-5', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'Hi' }] };
  const post = () => rawRequest(`${stack.server.url}/v1/messages`, body, { tokens: [ACCOUNT] });

  beforeAll(async () => {
    stack = await startStack({ tokens: [ACCOUNT], env: { KEEPALIVE_INTERVAL_MS: '50' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should end a stream that fails after the first byte with one error event, without message_stop', async () => {
    stack.fake.addFault({
      fault: 'hint_error',
      account: ACCOUNT,
      endpoint: 'completion',
      params: { afterTokens: 3, message: 'Something odd happened.', finish_reason: 'something_odd' },
    });

    const res = await post();

    expect(res.status).toBe(200);
    const events = wireEvents(res.text).filter((e) => e.data.type !== 'ping');
    expect(events[0].data.type).toBe('message_start');
    expect(events.at(-1)).toEqual({
      event: 'error',
      data: { type: 'error', error: { type: 'api_error', message: 'DeepSeek sent an unexpected answer.' } },
    });
    expect(events.map((e) => e.data.type)).not.toContain('message_stop');
  });

  it('should fill a slow pre-flight with ping events before message_start', async () => {
    stack.fake.addFault({ fault: 'slow_first_byte', account: ACCOUNT, endpoint: 'completion', params: { ms: 400 } });

    const res = await post();

    expect(res.status).toBe(200);
    const events = wireEvents(res.text);
    expect(events[0]).toEqual({ event: 'ping', data: { type: 'ping' } });
    expectWellFormedStream(events);
    expect(events.find((e) => e.data.type === 'content_block_delta')?.data.delta).toEqual({
      type: 'text_delta',
      text: expect.any(String) as string,
    });
  });
});

describe('Anthropic routes under the chat body limit and rate limit (e2e)', () => {
  let stack: Stack;
  const body = { model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] };
  const post = (payload: object) => rawRequest(`${stack.server.url}/v1/messages`, payload, { tokens: [API_KEY] });

  beforeAll(async () => {
    stack = await startStack({
      tokens: [ACCOUNT],
      env: { DEEPSEEK_TOKENS: ACCOUNT, API_KEYS: API_KEY, BODY_LIMIT: '2kb', RATE_LIMIT_CHAT_PER_MINUTE: '2' },
    });
  });
  afterAll(() => stack.close());
  afterEach(() => expectAllIdle(stack));

  it('should refuse a body over BODY_LIMIT with 413 request_too_large', async () => {
    const res = await post({ ...body, messages: [{ role: 'user', content: 'x'.repeat(4096) }] });

    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });

  it('should count messages against RATE_LIMIT_CHAT_PER_MINUTE: 429 rate_limit_error with retry-after', async () => {
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);

    const res = await post(body);

    expect(res.status).toBe(429);
    expect(res.json).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
