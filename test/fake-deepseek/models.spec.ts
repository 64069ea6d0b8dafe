import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { decodeStream, FakeClient } from './spec-helpers';
import { rawRequest } from '../utils/http/raw-request';

const SETTINGS = '/api/v0/client/settings?did=3f1c2a9e-device&scope=model';
const POW_FUNCTIONS = ['search', 'deep_think', 'completion', 'file'];

describe('fake DeepSeek: model types and client settings', () => {
  let fake: FakeDeepSeek;
  let alice: FakeClient;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a'], powDifficulty: 1000 });
    alice = new FakeClient(fake.url, 'tok-a');
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  const modelConfig = (modelType: string, enabled: boolean) => ({
    model_type: modelType,
    enabled,
    switchable: enabled,
    input_character_limit: 2621440,
    authed_pow_functions: POW_FUNCTIONS,
  });

  it('should list every model type in client/settings, switched off when unavailable', async () => {
    expect(await alice.json(SETTINGS)).toEqual({
      code: 0,
      msg: '',
      data: {
        biz_code: 0,
        biz_msg: '',
        biz_data: {
          model_configs: [modelConfig('default', true), modelConfig('expert', true), modelConfig('vision', true)],
        },
      },
    });
    fake.configure({ unavailableModels: ['expert', 'vision'] });
    expect((await alice.json(SETTINGS)).data.biz_data.model_configs).toEqual([
      modelConfig('default', true),
      modelConfig('expert', false),
      modelConfig('vision', false),
    ]);
    expect(fake.state().requests.client_settings).toBe(2);
  });

  it('should need a valid token for client/settings, but let a muted account read it', async () => {
    const stranger = await new FakeClient(fake.url, 'tok-x').json(SETTINGS);
    expect(stranger).toEqual({ code: 40003, msg: 'Authorization Failed (invalid token)', data: null });
    const anonymous = await rawRequest(`${fake.url}${SETTINGS}`);
    expect(JSON.parse(anonymous.text).code).toBe(40003);
    fake.configure({ accounts: { 'tok-a': { mutedUntil: Date.now() / 1000 + 600 } } });
    expect((await alice.json(SETTINGS)).data.biz_data.model_configs).toHaveLength(3);
  });

  it('should answer an empty biz_data for another scope', async () => {
    expect((await alice.json('/api/v0/client/settings?did=x&scope=other')).data.biz_data).toEqual({});
  });

  it('should apply request-level faults to client/settings', async () => {
    fake.addFault({ fault: 'throttle', endpoint: 'client_settings' });
    expect((await alice.json(SETTINGS)).code).toBe(40029);
    expect((await alice.json(SETTINGS)).code).toBe(0);
    expect(fake.state().faults.consumed).toEqual([expect.objectContaining({ endpoint: 'client_settings' })]);
  });

  it('should accept vision on completion unless it is unavailable', async () => {
    const sessionId = await alice.createSession();
    const res = await alice.complete({ chat_session_id: sessionId, model_type: 'vision' });
    expect(res.events[0].data).toContain('"model_type":"vision"');
    expect(decodeStream(res.events).status).toBe('FINISHED');
    fake.configure({ unavailableModels: ['vision'] });
    const refused = await alice.complete({ chat_session_id: sessionId, parent_message_id: 2, model_type: 'vision' });
    expect(JSON.parse(refused.text).data).toEqual({
      biz_code: 1,
      biz_msg: 'model type not available',
      biz_data: null,
    });
  });

  it('should read model_type null as the session’s previous type, or default', async () => {
    const sessionId = await alice.createSession();
    const first = await alice.complete({ chat_session_id: sessionId, model_type: null });
    expect(first.events[0].data).toContain('"model_type":"default"');
    await alice.complete({ chat_session_id: sessionId, parent_message_id: 2, model_type: 'expert' });
    const third = await alice.complete({ chat_session_id: sessionId, parent_message_id: 4, model_type: null });
    expect(third.events[0].data).toContain('"model_type":"expert"');
    await alice.complete({ chat_session_id: sessionId, parent_message_id: 6 });
    const messages = fake.state().sessions[sessionId].messages;
    expect(messages.map((m) => [m.modelTypeSent, m.modelType])).toEqual([
      [null, 'default'],
      ['expert', 'expert'],
      [null, 'expert'],
      [null, 'default'],
    ]);
  });

  it('should refuse model_type null when the previous type became unavailable', async () => {
    const sessionId = await alice.createSession();
    await alice.complete({ chat_session_id: sessionId, model_type: 'expert' });
    fake.configure({ unavailableModels: ['expert'] });
    const refused = await alice.complete({ chat_session_id: sessionId, parent_message_id: 2, model_type: null });
    expect(JSON.parse(refused.text).data.biz_msg).toBe('model type not available');
  });
});
