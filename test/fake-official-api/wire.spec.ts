import { type FakeOfficialApi, startFakeOfficialApi } from './index';
import { parseArgs } from './main';
import { dataFrames, post, user } from './spec-helpers';

const CHAT = { model: 'deepseek-chat', messages: user('one two three four five six') };

/** Reads a stream until it ends or breaks; `broken` when the connection was cut. */
async function readAll(res: Response): Promise<{ text: string; broken: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, broken: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, broken: true };
  }
}

describe('fake official API: wire details', () => {
  let fake: FakeOfficialApi;

  beforeAll(async () => {
    fake = await startFakeOfficialApi({ keys: ['sk-a', 'sk-b'] });
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  it('should send keep-alive comments before a delayed stream', async () => {
    fake.configure({ queueDelayMs: 350, keepAliveMs: 100 });
    const res = await post(fake, { ...CHAT, stream: true });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { text } = await readAll(res);
    const head = text.slice(0, text.indexOf('data: '));
    expect(head).toMatch(/^(: keep-alive\n\n){2,4}$/);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('should send empty lines before a delayed JSON body', async () => {
    fake.configure({ queueDelayMs: 350, keepAliveMs: 100 });
    const res = await post(fake, CHAT);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(text).toMatch(/^\n{2,4}\{/);
    expect(JSON.parse(text.trim()).choices[0].message.content).toBe('You said: one two three four five six');
  });

  it('should cut a stream after N chunks with a midStream fault, and leave non-stream requests alone', async () => {
    fake.addFault({ status: 500, midStream: true, afterChunks: 3 });
    expect((await post(fake, CHAT)).status).toBe(200);
    const res = await post(fake, { ...CHAT, stream: true });
    expect(res.status).toBe(200);
    const { text, broken } = await readAll(res);
    expect(broken).toBe(true);
    expect(dataFrames(text)).toHaveLength(3);
    expect(fake.state().keys['sk-a']).toMatchObject({ cut: 1, aborted: 0 });
    const again = await readAll(await post(fake, { ...CHAT, stream: true }));
    expect(again.broken).toBe(false);
  });

  it('should count in-flight requests per key', async () => {
    fake.configure({ tokenDelayMs: 20 });
    const streams = [
      post(fake, { ...CHAT, stream: true }, 'sk-a'),
      post(fake, { ...CHAT, stream: true }, 'sk-a'),
      post(fake, { ...CHAT, stream: true }, 'sk-a'),
      post(fake, { ...CHAT, stream: true }, 'sk-b'),
    ];
    await fake.waitFor((s) => s.keys['sk-a'].inFlight === 3 && s.keys['sk-b'].inFlight === 1);
    await Promise.all((await Promise.all(streams)).map(readAll));
    const { keys } = await fake.waitFor((s) => s.keys['sk-a'].inFlight === 0);
    expect(keys['sk-a']).toMatchObject({ inFlight: 0, maxInFlight: 3, requests: 3, completed: 3 });
    expect(keys['sk-b']).toMatchObject({ inFlight: 0, maxInFlight: 1, requests: 1, completed: 1 });
    expect(fake.requests().map((r) => r.keyId)).toEqual(expect.arrayContaining(['key0', 'key1']));
  });

  it('should stop generating and count an abort when the client goes away mid-stream', async () => {
    fake.configure({ tokenDelayMs: 30 });
    const controller = new AbortController();
    const res = await post(fake, { ...CHAT, stream: true }, 'sk-a', { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    const { keys } = await fake.waitFor((s) => s.keys['sk-a'].aborted === 1 && s.keys['sk-a'].inFlight === 0);
    expect(keys['sk-a']).toMatchObject({ aborted: 1, completed: 0, cut: 0 });
  });

  it('should parse the CLI options', () => {
    expect(parseArgs(['--port', '0', '--keys', 'k1, k2', '--token-delay=5', '--tokens-per-answer', '300'])).toEqual({
      port: 0,
      keys: ['k1', 'k2'],
      tokenDelayMs: 5,
      answerPieces: 300,
    });
    expect(parseArgs(['--help'])).toBe('help');
    expect(() => parseArgs(['--port', '-1'])).toThrow('--port');
    expect(() => parseArgs(['--nope', '1'])).toThrow('--nope');
  });

  it('should make the default answer exactly answerPieces pieces long', async () => {
    fake.configure({ answerPieces: 40 });
    const completion = (await (await post(fake, CHAT)).json()) as any;
    expect(completion.usage.completion_tokens).toBe(40);
    expect(completion.choices[0].message.content).toMatch(/^You said: one two/);
  });
});
