import { isVersionBelow } from './client-version';
import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { FakeClient } from './spec-helpers';
import { rawRequest } from '../utils/http/raw-request';

const TOO_LOW = { code: 40005, msg: 'CLIENT_VERSION_TOO_LOW', data: null };
const BANNED = { code: 0, msg: '', data: { biz_code: 10, biz_msg: 'USER_IS_BANNED', biz_data: null } };
const SUSPENDED_TEXT = '由于违规次数过多，你的账户已被临时停用';
const SUSPENDED = { code: 0, msg: '', data: { biz_code: 14, biz_msg: SUSPENDED_TEXT, biz_data: null } };

describe('fake DeepSeek: client version, bans and suspensions', () => {
  let fake: FakeDeepSeek;
  let alice: FakeClient;
  let bob: FakeClient;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a', 'tok-b'], powDifficulty: 1000 });
    alice = new FakeClient(fake.url, 'tok-a');
    bob = new FakeClient(fake.url, 'tok-b');
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  const body = (res: { text: string }) => JSON.parse(res.text);
  const challenge = (client: FakeClient, version?: string) =>
    client.json(
      '/api/v0/chat/create_pow_challenge',
      { target_path: '/api/v0/chat/completion' },
      version === undefined ? {} : { 'x-client-version': version },
    );

  it('should compare dotted numeric versions, a missing one being the lowest', () => {
    expect(isVersionBelow('1.7.0', '2.0.0')).toBe(true);
    expect(isVersionBelow('2.0', '2.0.0')).toBe(false);
    expect(isVersionBelow('2.10.0', '2.4.0')).toBe(false);
    expect(isVersionBelow('2.4.0', '2.10')).toBe(true);
    expect(isVersionBelow(undefined, '0.0.1')).toBe(true);
  });

  it('should answer client_version_too_low once, with 40005 in HTTP 200', async () => {
    fake.addFault({ fault: 'client_version_too_low', endpoint: 'create_pow_challenge' });
    const res = await rawRequest(
      `${fake.url}/api/v0/chat/create_pow_challenge`,
      { target_path: '/api/v0/chat/completion' },
      {
        headers: { authorization: 'Bearer tok-a' },
      },
    );
    expect(res.status).toBe(200);
    expect(body(res)).toEqual(TOO_LOW);
    expect((await challenge(alice)).code).toBe(0);
  });

  it('should refuse PoW challenges and completions below minClientVersion', async () => {
    fake.configure({ minClientVersion: '2.0.0' });
    expect(await challenge(alice)).toEqual(TOO_LOW);
    expect(await challenge(alice, '1.7.0')).toEqual(TOO_LOW);
    expect((await challenge(alice, '2.0.0')).code).toBe(0);
    expect((await challenge(alice, '2.4.0')).code).toBe(0);
    const sessionId = await alice.createSession();
    expect((await alice.json('/api/v0/users/current')).code).toBe(0);
    const old = await alice.complete(
      { chat_session_id: sessionId },
      { pow: 'unused', headers: { 'x-client-version': '1.9.9' } },
    );
    expect(body(old)).toEqual(TOO_LOW);
    fake.configure({ minClientVersion: null });
    expect((await alice.complete({ chat_session_id: sessionId })).status).toBe(200);
  });

  it('should refuse a malformed minClientVersion over the control API', async () => {
    const res = await rawRequest(`${fake.url}/__fake__/config`, { minClientVersion: 'two' });
    expect(body(res)).toEqual({ error: 'invalid value for minClientVersion' });
    const ok = await rawRequest(`${fake.url}/__fake__/config`, { minClientVersion: '2.4.0' });
    expect(body(ok).minClientVersion).toBe('2.4.0');
  });

  it('should answer banned once, or on every endpoint after a permanent ban until reset', async () => {
    fake.addFault({ fault: 'banned', endpoint: 'chat_session_create' });
    expect(await alice.json('/api/v0/chat_session/create', {})).toEqual(BANNED);
    expect((await alice.json('/api/v0/chat_session/create', {})).code).toBe(0);
    expect(fake.state().accounts['tok-a'].banned).toBe(false);

    fake.addFault({ fault: 'banned', account: 'tok-a', params: { permanent: true } });
    expect(await alice.json('/api/v0/users/current')).toEqual(BANNED);
    expect(fake.state().accounts['tok-a']).toMatchObject({ banned: true, dead: false });
    expect(await alice.json('/api/v0/users/current')).toEqual(BANNED);
    expect(await alice.json('/api/v0/client/settings?scope=model')).toEqual(BANNED);
    expect(await challenge(alice)).toEqual(BANNED);
    expect(body(await alice.complete({ chat_session_id: 'x' }, { pow: null }))).toEqual(BANNED);
    expect((await bob.json('/api/v0/users/current')).code).toBe(0);

    fake.reset();
    expect((await alice.json('/api/v0/users/current')).code).toBe(0);
  });

  it('should lift a permanent ban when the account is added again', async () => {
    fake.addFault({ fault: 'banned', account: 'tok-a', params: { permanent: true } });
    expect(await alice.json('/api/v0/users/current')).toEqual(BANNED);
    fake.configure({ accounts: ['tok-a'] });
    expect(fake.state().accounts['tok-a'].banned).toBe(false);
    expect((await alice.json('/api/v0/users/current')).code).toBe(0);
  });

  it('should answer suspended as an envelope, or in the SSE form on completion', async () => {
    fake.addFault({ fault: 'suspended', endpoint: 'users_current' });
    expect(await alice.json('/api/v0/users/current')).toEqual(SUSPENDED);
    fake.addFault({ fault: 'suspended', endpoint: 'completion', params: { form: 'sse' } });
    const sse = await alice.complete({ chat_session_id: await alice.createSession() }, { pow: null });
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(sse.events).toEqual([
      { event: 'message', data: JSON.stringify({ type: 'error', content: SUSPENDED_TEXT, clear_response: true }) },
    ]);
    fake.addFault({ fault: 'suspended', endpoint: 'completion' });
    expect(body(await alice.complete({ chat_session_id: 'x' }, { pow: null }))).toEqual(SUSPENDED);
    expect(fake.state().faults.consumed.map((f) => f.fault)).toEqual(['suspended', 'suspended', 'suspended']);
  });
});
