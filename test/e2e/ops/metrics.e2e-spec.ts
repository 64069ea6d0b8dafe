import { postChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { readChatStream } from '../../utils/sse/chat-stream';
import { type Exposition, parseExposition, valueOf } from '../../utils/prometheus';
import { eventually } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const TOKEN = 'tok-metrics-Zq8vT3kLmP0sWx7rYb2N';
const REPLY = 'Metrics are moving along nicely.';
const CHAT_ROUTE = '/v1/chat/completions';
const auth = { authorization: `Bearer ${TOKEN}` };

async function scrape(stack: Stack): Promise<Exposition> {
  const res = await rawRequest(`${stack.server.url}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(res.text);
}

const requests = (m: Exposition, labels: Record<string, string>) =>
  valueOf(m, 'deepseek_gateway_http_requests_total', { route: CHAT_ROUTE, ...labels }) ?? 0;

describe('GET /metrics (e2e)', () => {
  // The whole stack (PoW worker threads, paced streams) is slow on a busy CI machine; no test relies on timing.
  jest.setTimeout(30_000);

  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [TOKEN], fake: { reply: { content: REPLY } } });
  });
  afterAll(() => stack.close());

  it('should answer in the Prometheus text format with the gateway, pool and event-loop series', async () => {
    const res = await rawRequest(`${stack.server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = parseExposition(res.text);
    expect(Object.fromEntries(m.types)).toMatchObject({
      deepseek_gateway_http_requests_total: 'counter',
      deepseek_gateway_http_request_duration_seconds: 'histogram',
      deepseek_gateway_chat_ttfb_seconds: 'histogram',
      deepseek_gateway_chat_stream_duration_seconds: 'histogram',
      deepseek_gateway_chat_tokens_total: 'counter',
      deepseek_gateway_upstream_errors_total: 'counter',
      deepseek_gateway_pow_solve_seconds: 'histogram',
      deepseek_gateway_queue_wait_seconds: 'histogram',
      deepseek_gateway_pool_accounts: 'gauge',
      deepseek_gateway_pool_waiting_requests: 'gauge',
      deepseek_gateway_pool_leases: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_eventloop_lag_p99_seconds: 'gauge',
      process_cpu_seconds_total: 'counter',
    });
    for (const state of ['idle', 'busy', 'cooling', 'muted', 'invalid']) {
      expect(valueOf(m, 'deepseek_gateway_pool_accounts', { state })).toBe(0);
    }
    expect(valueOf(m, 'deepseek_gateway_pool_waiting_requests')).toBe(0);
  });

  it('should move the request, latency, PoW, queue, token and pool series after a stream and a non-stream answer', async () => {
    const before = await scrape(stack);

    const plain = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }] },
      { headers: auth },
    );
    expect(plain.status).toBe(200);
    const streamed = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      { headers: auth },
    );
    expect(readChatStream(streamed.text)).toMatchObject({ content: REPLY, done: true });

    // The stream's access record is written when its response closes.
    const after = await eventually(async () => {
      const m = await scrape(stack);
      return requests(m, { stream: 'true', status: '200' }) > requests(before, { stream: 'true', status: '200' })
        ? m
        : undefined;
    });
    const moved = (name: string, labels: Record<string, string> = {}) =>
      (valueOf(after, name, labels) ?? 0) - (valueOf(before, name, labels) ?? 0);

    expect(
      moved('deepseek_gateway_http_requests_total', {
        route: CHAT_ROUTE,
        method: 'POST',
        status: '200',
        model: 'deepseek-chat',
        stream: 'false',
      }),
    ).toBe(1);
    expect(
      moved('deepseek_gateway_http_requests_total', {
        route: CHAT_ROUTE,
        method: 'POST',
        status: '200',
        model: 'deepseek-chat',
        stream: 'true',
      }),
    ).toBe(1);
    expect(moved('deepseek_gateway_http_request_duration_seconds_count', { route: CHAT_ROUTE })).toBe(2);
    expect(moved('deepseek_gateway_chat_ttfb_seconds_count', { model: 'deepseek-chat', stream: 'true' })).toBe(1);
    expect(moved('deepseek_gateway_chat_ttfb_seconds_count', { model: 'deepseek-chat', stream: 'false' })).toBe(1);
    expect(moved('deepseek_gateway_chat_stream_duration_seconds_count', { model: 'deepseek-chat' })).toBe(1);
    expect(moved('deepseek_gateway_pow_solve_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(moved('deepseek_gateway_queue_wait_seconds_count')).toBe(2);
    expect(moved('deepseek_gateway_chat_tokens_total', { type: 'prompt' })).toBeGreaterThan(0);
    expect(moved('deepseek_gateway_chat_tokens_total', { type: 'completion' })).toBeGreaterThan(0);
    // The scrapes themselves are requests too.
    expect(moved('deepseek_gateway_http_requests_total', { route: '/metrics', status: '200' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(valueOf(after, 'deepseek_gateway_pool_accounts', { state: 'idle' })).toBe(1);
    expect(valueOf(after, 'deepseek_gateway_pool_leases')).toBe(0);
  });

  it('should count upstream errors by kind, before the first byte and inside a stream', async () => {
    const before = await scrape(stack);

    stack.fake.addFault({ fault: 'waf_html', endpoint: 'completion' });
    const blocked = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }] },
      { headers: auth },
    );
    expect(blocked.status).toBe(503);

    stack.fake.addFault({ fault: 'disconnect', endpoint: 'completion', params: { afterTokens: 2 } });
    const cut = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      { headers: auth },
    );
    expect(readChatStream(cut.text).error).toBeDefined();

    const after = await eventually(async () => {
      const m = await scrape(stack);
      const streamErrors = valueOf(m, 'deepseek_gateway_upstream_errors_total', { phase: 'stream' }) ?? 0;
      return streamErrors > (valueOf(before, 'deepseek_gateway_upstream_errors_total', { phase: 'stream' }) ?? 0)
        ? m
        : undefined;
    });
    expect(valueOf(after, 'deepseek_gateway_upstream_errors_total', { kind: 'blocked', phase: 'preflight' })).toBe(1);
    expect(
      requests(after, { status: '503', stream: 'false' }) - requests(before, { status: '503', stream: 'false' }),
    ).toBe(1);
    const streamKinds = after.samples
      .filter((s) => s.name === 'deepseek_gateway_upstream_errors_total' && s.labels.phase === 'stream')
      .map((s) => s.labels.kind);
    expect(streamKinds.length).toBeGreaterThan(0);
  });

  it('should label a model name it does not know as other, so clients cannot grow the series without bound', async () => {
    const res = await postChat(
      stack.baseURL,
      { model: 'deepseek-made-up-1234', messages: [{ role: 'user', content: 'hi' }] },
      { headers: auth },
    );
    expect(res.status).toBe(200);
    const m = await eventually(async () => {
      const scraped = await scrape(stack);
      return requests(scraped, { model: 'other' }) > 0 ? scraped : undefined;
    });
    expect(m.samples.some((s) => s.labels.model === 'deepseek-made-up-1234')).toBe(false);
  });
});

describe('GET /metrics with METRICS_TOKEN (e2e)', () => {
  const METRICS_TOKEN = 'metrics-secret-4f8a2c';
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { METRICS_TOKEN } });
  });
  afterAll(() => stack.close());

  it('should answer 401 with an OpenAI error without the token or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: METRICS_TOKEN }] as Record<
      string,
      string
    >[]) {
      const res = await rawRequest(`${stack.server.url}/metrics`, undefined, { headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(JSON.parse(res.text)).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
      expect(res.text).not.toContain('deepseek_gateway_');
    }
  });

  it('should serve the metrics with the right bearer token', async () => {
    const res = await rawRequest(`${stack.server.url}/metrics`, undefined, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(valueOf(parseExposition(res.text), 'deepseek_gateway_pool_leases')).toBe(0);
  });

  it('should keep the probes open', async () => {
    expect((await rawRequest(`${stack.server.url}/healthz`)).status).toBe(200);
    expect((await rawRequest(`${stack.server.url}/readyz`)).status).toBe(200);
    expect((await rawRequest(`${stack.server.url}/ping`)).text).toBe('pong');
  });
});
