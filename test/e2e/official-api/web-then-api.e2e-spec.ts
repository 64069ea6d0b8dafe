import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { LogCapture } from '../../utils/log-capture';
import { parseExposition, valueOf } from '../../utils/prometheus';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { sseEvents } from '../../utils/sse/sse-reader';
import { type Stack, startStack } from '../../utils/stack';

const CLIENT_KEY = 'sk-client-fallback-1e6b3f';
const API_KEY = 'sk-official-fallback-8a2c47';
const auth = { authorization: `Bearer ${CLIENT_KEY}` };
const FALLBACK_AFTER_MS = 400;

/**
 * A frame's shape: its event name and its JSON with every string replaced by "s" and every number by 0, keys
 * in the order sent. Two paths that write the same shapes write the same bytes but for the text and ids.
 */
function shapeOf(event: string, data: string): string {
  if (data === '[DONE]') return `${event} [DONE]`;
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return 's';
    if (typeof value === 'number') return 0;
    if (Array.isArray(value)) return value.map(mask);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, mask(inner)]));
    }
    return value;
  };
  return `${event} ${JSON.stringify(mask(JSON.parse(data)))}`;
}

/** The distinct frame shapes of a stream body, in order, a run of equal ones counted once. */
function shapes(body: string): string[] {
  const all = sseEvents(body).map(({ event, data }) => shapeOf(event, data));
  return all.filter((shape, i) => shape !== all[i - 1]);
}

describe('UPSTREAM_MODE=web-then-api: web accounts first, the official API when none can serve (e2e)', () => {
  let stack: Stack;
  const logs = new LogCapture();
  const [first, second] = makeTokens('fallback', 2);

  beforeAll(async () => {
    stack = await startStack({
      tokens: [first, second],
      officialApi: { keys: [API_KEY] },
      env: {
        UPSTREAM_MODE: 'web-then-api',
        DEEPSEEK_TOKENS: `${first},${second}`,
        API_KEYS: CLIENT_KEY,
        DEEPSEEK_API_KEYS: API_KEY,
        FALLBACK_AFTER_MS: String(FALLBACK_AFTER_MS),
      },
      logger: logs,
    });
  });
  afterEach(() => {
    stack.officialApi!.reset();
  });
  afterAll(async () => {
    await stack?.close();
    expectNoSecrets(logs.text(), [first, second, CLIENT_KEY, API_KEY], 'the gateway log');
  });

  const fallbacks = async (reason?: string) =>
    valueOf(
      parseExposition((await rawRequest(`${stack.server.url}/metrics`)).text),
      'deepseek_gateway_upstream_fallbacks_total',
      reason ? { reason } : {},
    ) ?? 0;
  const streamed = (model = 'deepseek-chat') =>
    postChat(stack.baseURL, chatBody({ model, stream: true, stream_options: { include_usage: true } }), {
      headers: auth,
    });

  it('should answer from the web accounts while they are healthy, the API untouched', async () => {
    const openai = new OpenAI({ baseURL: stack.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 });
    const { data, response } = await openai.chat.completions
      .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello web' }] })
      .withResponse();

    expect(response.headers.get('x-upstream')).toBe('web');
    expect(data.choices[0].message.content).toBeTruthy();
    expect(stack.officialApi!.requests()).toHaveLength(0);
    expect(await fallbacks()).toBe(0);
  });

  it('should keep the stream chunk shapes byte for byte when the API answers instead of the web', async () => {
    const web = await streamed();
    expect(web.headers['x-upstream']).toBe('web');

    stack.fake.configure({ tokenDelayMs: 2_000 });
    const holders = [first, second].map(() => postChat(stack.baseURL, chatBody(), { headers: auth }));
    await stack.fake.waitFor((state) => state.inFlight === 2);
    const api = await streamed();
    stack.fake.reset();
    await Promise.all(holders);

    expect(api.headers['x-upstream']).toBe('api');
    expect(api.headers['content-type']).toBe(web.headers['content-type']);
    // The same framing (one `data:` line per event, a blank line after each), and the same shapes in the same order.
    for (const body of [web.text, api.text]) expect(body).toMatch(/^(data: [^\n]+\n\n)+$/);
    expect(shapes(api.text)).toEqual(shapes(web.text));
    expect(shapes(web.text)).toHaveLength(5); // role, content, finish, usage, [DONE]
  });

  it('should go to the API once no web account is free within FALLBACK_AFTER_MS, and say why in the log', async () => {
    stack.fake.configure({ tokenDelayMs: 2_000 });
    const holders = [first, second].map(() => postChat(stack.baseURL, chatBody(), { headers: auth }));
    await stack.fake.waitFor((state) => state.inFlight === 2);
    const before = await fallbacks('accounts_busy');
    const startedAt = Date.now();

    const res = await postChat(stack.baseURL, chatBody({ messages: [{ role: 'user', content: 'Anyone free?' }] }), {
      headers: auth,
    });

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(FALLBACK_AFTER_MS - 50);
    expect(res.status).toBe(200);
    expect(res.headers['x-upstream']).toBe('api');
    expect(res.json.choices[0].message.content).toBe('You said: Anyone free?');
    expect(await fallbacks('accounts_busy')).toBe(before + 1);
    expect(logs.lines.some((line) => line.includes('web accounts cannot serve (accounts_busy)'))).toBe(true);
    stack.fake.reset();
    await Promise.all(holders);
  });

  it('should answer from the API, header set and fallback counted, when every web account is muted', async () => {
    for (const account of [first, second]) {
      stack.fake.addFault({ fault: 'muted', account, endpoint: 'completion', params: { seconds: 600 } });
    }
    const before = await fallbacks();
    const openai = new OpenAI({ baseURL: stack.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 });

    for (let i = 0; i < 2; i++) {
      const { data, response } = await openai.chat.completions
        .create({ model: 'deepseek-chat', messages: [{ role: 'user', content: `Muted ${i}` }] })
        .withResponse();
      expect(response.headers.get('x-upstream')).toBe('api');
      expect(data.choices[0].message.content).toBe(`You said: Muted ${i}`);
    }

    const anthropic = new Anthropic({ baseURL: stack.server.url, apiKey: CLIENT_KEY, maxRetries: 0 });
    const { data: message, response } = await anthropic.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Muted Claude' }] })
      .withResponse();
    expect(response.headers.get('x-upstream')).toBe('api');
    expect(message.content).toMatchObject([{ type: 'text', text: 'You said: Muted Claude' }]);

    expect(await fallbacks()).toBe(before + 3);
    // Once the accounts are known to be muted, the pool says so at once.
    expect(await fallbacks('accounts_muted')).toBeGreaterThanOrEqual(1);
    const exposition = parseExposition((await rawRequest(`${stack.server.url}/metrics`)).text);
    expect(valueOf(exposition, 'deepseek_gateway_upstream_answers_total', { upstream: 'api' })).toBeGreaterThanOrEqual(
      3,
    );
  });

  it('should keep a web-search request on the web (the API has no search): no fallback for it', async () => {
    const res = await postChat(stack.baseURL, chatBody({ model: 'deepseek-chat-search' }), { headers: auth });
    expect(res.status).toBe(403);
    expect(stack.officialApi!.requests()).toHaveLength(0);
  });
});
