import { InflightRegistry } from '../../../src/common/lifecycle/inflight-registry';
import { postChat, streamChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { readChatStream } from '../../utils/sse/chat-stream';
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

    const stream = streamChat(
      stack.baseURL,
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'count' }] },
      [TOKEN],
    );
    await stream.until((c) => c.text.length > 0);
    expect(stream.status).toBe(200);

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

    await stream.response;
    expect(readChatStream(stream.text)).toMatchObject({ content: REPLY, done: true });
    await expect(drained).resolves.toEqual({ finished: 1, aborted: 0 });

    const after = await rawRequest(`${stack.server.url}/readyz`);
    expect(after.status).toBe(503);
    expect(JSON.parse(after.text)).toEqual({ status: 'draining', inflight: 0 });
  });
});
