import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest, type RawResponse } from '../../utils/http/raw-request';
import { readChatStream } from '../../utils/sse/chat-stream';
import { type Stack, startStack } from '../../utils/stack';

/** Every text response names its charset, so no client has to guess (or sniff) the encoding. */
describe('Content-Type of every text response (e2e)', () => {
  const token = 'tok-types-Zq8vT3kLmP0sWx7rYb2N';
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [token], fake: { reply: { content: 'Grüße, 世界 👋' } } });
  });
  afterAll(() => stack?.close());

  const get = (path: string) => rawRequest(`${stack.server.url}${path}`);
  const chat = (stream: boolean) => postChat(stack.baseURL, chatBody({ stream }), { tokens: [token] });

  it.each<[string, string, () => Promise<RawResponse>]>([
    ['a chat stream', 'text/event-stream; charset=utf-8', () => chat(true)],
    ['a chat completion', 'application/json; charset=utf-8', () => chat(false)],
    ['GET /ping', 'text/plain; charset=utf-8', () => get('/ping')],
    ['GET /metrics', 'text/plain; version=0.0.4; charset=utf-8', () => get('/metrics')],
    ['GET /healthz', 'application/json; charset=utf-8', () => get('/healthz')],
    ['GET /v1/models', 'application/json; charset=utf-8', () => get('/v1/models')],
    ['an error', 'application/json; charset=utf-8', () => get('/v1/nothing-here')],
  ])('should send %s as %s', async (_, contentType, send) => {
    const res = await send();

    expect(res.headers['content-type']).toBe(contentType);
  });

  it('should carry non-ASCII text intact in the stream', async () => {
    const res = await chat(true);

    expect(readChatStream(res.text).content).toBe('Grüße, 世界 👋');
  });
});
