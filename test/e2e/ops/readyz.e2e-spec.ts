import { InflightRegistry } from '../../../src/common/lifecycle/inflight-registry';
import { postChat, rawRequest, readChatStream } from '../../utils/chat-http';
import { type Stack, startStack } from '../../utils/stack';

const TOKEN = 'tok-drain-Zq8vT3kLmP0sWx7rYb2N';
// Long enough (about 4 s at 20 ms a token) that the stream is still open while the test looks at /readyz.
const REPLY = 'One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen. '
  .repeat(6)
  .trim();

describe('/readyz during shutdown (e2e)', () => {
  // The whole stack (PoW worker threads, paced streams) is slow on a busy CI machine; no test relies on timing.
  jest.setTimeout(30_000);

  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [TOKEN], fake: { reply: { content: REPLY }, tokenDelayMs: 20 } });
  });
  afterAll(() => stack.close());

  it('should answer ready, then 503 draining while a stream finishes, and let that stream end normally', async () => {
    expect(JSON.parse((await rawRequest(`${stack.server.url}/readyz`)).text)).toEqual({ status: 'ready', inflight: 0 });

    const res = await fetch(`${stack.server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'count' }] }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let body = decoder.decode((await reader.read()).value, { stream: true });

    const drained = stack.server.app.get(InflightRegistry).drain(10_000);

    const ready = await rawRequest(`${stack.server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toEqual({ status: 'draining', inflight: 1 });
    expect((await rawRequest(`${stack.server.url}/healthz`)).status).toBe(200);
    const refused = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'hi' }] },
      { tokens: [TOKEN] },
    );
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'server_shutting_down' } });

    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      body += decoder.decode(chunk.value, { stream: true });
    }
    expect(readChatStream(body)).toMatchObject({ content: REPLY, done: true });
    await expect(drained).resolves.toEqual({ finished: 1, aborted: 0 });

    const after = await rawRequest(`${stack.server.url}/readyz`);
    expect(after.status).toBe(503);
    expect(JSON.parse(after.text)).toEqual({ status: 'draining', inflight: 0 });
  });
});
