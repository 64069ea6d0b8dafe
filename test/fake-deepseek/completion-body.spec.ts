import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { decodeStream, FakeClient } from './spec-helpers';

describe('fake DeepSeek: 2026 completion body fields', () => {
  let fake: FakeDeepSeek;
  let alice: FakeClient;
  let sessionId: string;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a'], powDifficulty: 1000 });
    alice = new FakeClient(fake.url, 'tok-a');
  });
  beforeEach(async () => {
    fake.reset();
    sessionId = await alice.createSession();
  });
  afterAll(() => fake.close());

  const messages = () => fake.state().sessions[sessionId].messages;

  it('should accept source, action and preempt, and record what was sent', async () => {
    const res = await alice.complete({
      chat_session_id: sessionId,
      model_type: 'default',
      source: 'input',
      action: null,
      preempt: false,
    });
    expect(decodeStream(res.events).status).toBe('FINISHED');
    await alice.complete({ chat_session_id: sessionId, parent_message_id: 2 });
    expect(
      messages().map(({ source, preempt, actionSent, modelTypeSent }) => ({
        source,
        preempt,
        actionSent,
        modelTypeSent,
      })),
    ).toEqual([
      { source: 'input', preempt: false, actionSent: true, modelTypeSent: 'default' },
      { source: null, preempt: null, actionSent: false, modelTypeSent: null },
    ]);
  });

  it.each([
    ['source', 42, 'str type expected'],
    ['action', 'regenerate', 'value is not none'],
    ['preempt', 'yes', 'value could not be parsed to a boolean'],
  ])('should refuse %s of the wrong type with a FastAPI-style 422', async (field, value, msg) => {
    const res = await alice.complete({ chat_session_id: sessionId, [field]: value });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text)).toEqual({ detail: [{ loc: ['body', field], msg, type: 'value_error' }] });
    expect(messages()).toHaveLength(0);
  });
});
