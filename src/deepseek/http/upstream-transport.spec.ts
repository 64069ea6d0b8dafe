import { startFakeDeepSeek, type FakeDeepSeek } from '../../../test/fake-deepseek';
import { UpstreamError } from '../upstream-error';
import { ALICE, clientConfig, sendJsonText, startStub, upstreamErrorOf } from '../../../test/utils/deepseek/client-kit';
import { UpstreamTransport } from './upstream-transport';

jest.setTimeout(30_000);

describe('UpstreamTransport', () => {
  let fake: FakeDeepSeek;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: [ALICE], powDifficulty: 1000 });
  });

  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('should send a JSON body with its length, not chunked', async () => {
    const transport = new UpstreamTransport(clientConfig(fake.url));

    await transport.json('chat_session/create', ALICE, {});
    await transport.close();

    const headers = fake.state().lastHeaders.chat_session_create;
    expect(headers).toMatchObject({ 'content-length': '2', 'content-type': 'application/json' });
    expect(headers).not.toHaveProperty('transfer-encoding');
  });

  it('should let calls in flight finish on close, then refuse new ones', async () => {
    const transport = new UpstreamTransport(clientConfig(fake.url));
    fake.addFault({ fault: 'slow_first_byte', endpoint: 'users_current', params: { ms: 300 } });

    const call = transport.json('users/current', ALICE, undefined);
    await fake.waitFor((s) => s.requests.users_current === 1);
    const closed = transport.close();

    await expect(call).resolves.toMatchObject({ token: ALICE });
    await closed;
    const error = await upstreamErrorOf(transport.json('users/current', ALICE, undefined));
    expect(error.kind).toBe('network');
  });

  describe('against answers the fake does not give', () => {
    let stub: Awaited<ReturnType<typeof startStub>>;
    let transport: UpstreamTransport;
    const seen: string[] = [];

    beforeAll(async () => {
      stub = await startStub((req, res) => {
        seen.push(req.url ?? '');
        if (req.url?.endsWith('/chat/completion')) {
          if (req.headers['x-case'] === 'json') sendJsonText(res, 200, '{"code":0,"msg":"","data":{"biz_code":0}}');
          else sendJsonText(res, 500, 'data: {}\n\n', 'text/event-stream');
        } else {
          sendJsonText(res, 200, '{"code":0,"msg":"","data":{"biz_code":0,"biz_msg":"","biz_data":{"ok":true}}}');
        }
      });
      transport = new UpstreamTransport(clientConfig(`${stub.url}/deepseek`));
    });

    afterAll(async () => {
      await transport.close();
      await stub.close();
    });

    it('should keep the path of the base URL in front of /api/v0', async () => {
      await expect(transport.json('users/current', ALICE, undefined)).resolves.toEqual({ ok: true });
      expect(seen.at(-1)).toBe('/deepseek/api/v0/users/current');
    });

    it.each([
      ['a successful envelope', 'json', 200],
      ['an event stream with an error status', 'sse', 500],
    ])('should reject %s from a streaming endpoint as bad_response', async (_name, kind, status) => {
      const signal = new AbortController().signal;
      const error = await upstreamErrorOf(transport.stream('chat/completion', ALICE, {}, { 'x-case': kind }, signal));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error.kind).toBe('bad_response');
      expect(error.details.status).toBe(status);
    });
  });
});
