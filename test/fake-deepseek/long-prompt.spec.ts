import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { FakeClient } from './spec-helpers';

describe('fake DeepSeek: long prompts', () => {
  let fake: FakeDeepSeek;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a'], powDifficulty: 1000, echo: true });
  });
  afterAll(() => fake.close());

  it('should echo a 600k-character prompt with the default tokeniser', async () => {
    const client = new FakeClient(fake.url, 'tok-a');
    const sessionId = await client.createSession();
    const prompt = 'abcdefghij'.repeat(60_000);
    const res = await client.complete({ chat_session_id: sessionId, prompt });
    expect(res.status).toBe(200);
    // Decoding ~240k frames in the spec is slow; the fake's own record of the message is enough.
    expect(res.text).toContain(`event: title\ndata: {"content":"${prompt.slice(0, 30)}"}`);
    expect(res.text.endsWith('event: close\ndata: {"click_behavior":"none","auto_resume":false}\n\n')).toBe(true);
    const message = fake.state().sessions[sessionId].messages[0];
    expect(message).toMatchObject({ status: 'FINISHED', prompt, content: prompt });
    expect(message.accumulatedTokenUsage).toBeGreaterThan(300_000 + 600_000 / 4);
  });
});
