import { chatBody, postChat } from '../../utils/chat-http';
import { readChatStream } from '../../utils/sse/chat-stream';
import { type Stack, startStack } from '../../utils/stack';

const API_KEY = 'sk-official-timeouts-3e91b0';
const HEADERS_TIMEOUT_MS = 300;
const IDLE_TIMEOUT_MS = 400;

/** The official API's timers: a deadline for the headers only, and an idle timer that keep-alives reset. */
describe('official API timeouts (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      officialApi: { keys: [API_KEY] },
      env: {
        UPSTREAM_MODE: 'api',
        DEEPSEEK_API_KEYS: API_KEY,
        UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        UPSTREAM_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      },
    });
  });
  afterEach(() => stack.officialApi!.reset());
  afterAll(() => stack?.close());

  it('should not cut an answer that lasts longer than the headers deadline', async () => {
    stack.officialApi!.configure({ tokenDelayMs: 50, answerPieces: 20 });
    const res = await postChat(stack.baseURL, chatBody({ stream: true }));
    const stream = readChatStream(res.text);

    expect(stream.error).toBeNull();
    expect(stream.finishReason).toBe('stop');
    expect(stream.contentChunks).toBeGreaterThanOrEqual(20);
  });

  it("should wait through a busy API's keep-alive comments longer than the idle timeout", async () => {
    stack.officialApi!.configure({ queueDelayMs: IDLE_TIMEOUT_MS * 3, keepAliveMs: 100 });
    const res = await postChat(stack.baseURL, chatBody());

    expect(res.status).toBe(200);
    expect(res.json.choices[0].message.content).toBe('You said: Hello there');
  });

  it('should answer 504 when the API sends no headers within the deadline', async () => {
    // Without a byte to write the fake sends no headers either: a held request with nothing on the wire.
    stack.officialApi!.configure({ queueDelayMs: HEADERS_TIMEOUT_MS * 4, keepAliveMs: HEADERS_TIMEOUT_MS * 10 });
    const res = await postChat(stack.baseURL, chatBody({ stream: true }));

    expect(res.status).toBe(504);
    expect(res.json.error).toMatchObject({ code: 'upstream_timeout' });
  });

  it('should end a stream that goes silent for the idle timeout with an error frame, and stop the API request', async () => {
    stack.officialApi!.configure({ tokenDelayMs: IDLE_TIMEOUT_MS * 3, answerPieces: 5 });
    const res = await postChat(stack.baseURL, chatBody({ stream: true }));
    const stream = readChatStream(res.text);

    expect(res.status).toBe(200);
    expect(stream.error).toMatchObject({ code: 'upstream_timeout' });
    const state = await stack.officialApi!.waitFor((s) => Object.values(s.keys).every((key) => key.inFlight === 0));
    expect(Object.values(state.keys).reduce((sum, key) => sum + key.aborted, 0)).toBe(1);
  });
});
