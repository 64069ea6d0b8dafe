import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startFakeDeepSeek, type FakeDeepSeek } from '../../../test/fake-deepseek';
import { UpstreamError } from '../upstream-error';
import {
  ALICE,
  clientConfig,
  sendJsonText,
  startStub,
  upstreamErrorOf,
  USER_AGENT,
} from '../../../test/utils/deepseek/client-kit';
import { type StreamBody, UpstreamTransport } from './upstream-transport';

jest.setTimeout(30_000);

const OK_ENVELOPE = '{"code":0,"msg":"","data":{"biz_code":0,"biz_msg":"","biz_data":{"ok":true}}}';

const transportFor = (baseUrl: string, overrides: Parameters<typeof clientConfig>[1] = {}) =>
  new UpstreamTransport(clientConfig(baseUrl, overrides));

const readAll = (body: StreamBody): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    body.once('error', reject);
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('UpstreamTransport', () => {
  let fake: FakeDeepSeek;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: [ALICE], powDifficulty: 1000 });
  });

  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('should send a JSON body with its length, not chunked', async () => {
    const transport = transportFor(fake.url);

    await transport.json('chat_session/create', ALICE, {});
    await transport.close();

    const headers = fake.state().lastHeaders.chat_session_create;
    expect(headers).toMatchObject({ 'content-length': '2', 'content-type': 'application/json' });
    expect(headers).not.toHaveProperty('transfer-encoding');
  });

  it("should close an idle kept-alive socket before the server's announced keep-alive timeout ends", async () => {
    // The server closes idle sockets after 3 s and says so (Keep-Alive: timeout=3): a socket reused just then
    // would die with ECONNRESET, so the client must let it go first.
    const server = createHttpServer((_req, res) => sendJsonText(res, 200, OK_ENVELOPE));
    server.keepAliveTimeout = 3_000;
    let closedAt = 0;
    server.on('connection', (socket: Socket) => socket.once('close', () => (closedAt = Date.now())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const transport = transportFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      await transport.json('chat_session/create', ALICE, {});
      const idleSince = Date.now();
      await waitUntil(() => closedAt > 0, 'the idle socket to close');
      expect(closedAt - idleSince).toBeLessThan(2_700);
    } finally {
      await transport.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('should let calls in flight finish on close, then refuse new ones', async () => {
    const transport = transportFor(fake.url);
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
    const seen: { url: string; method: string; headers: IncomingMessage['headers']; port: number }[] = [];
    /** Per request URL suffix: what the stub does instead of the default envelope. */
    const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

    beforeAll(async () => {
      stub = await startStub((req, res) => {
        seen.push({
          url: req.url ?? '',
          method: req.method ?? '',
          headers: req.headers,
          port: req.socket.remotePort ?? 0,
        });
        const route = [...routes].find(([suffix]) => req.url?.endsWith(suffix));
        if (route) route[1](req, res);
        else sendJsonText(res, 200, OK_ENVELOPE);
      });
      transport = transportFor(`${stub.url}/deepseek`, { firstByteTimeoutMs: 300, upstreamTimeoutMs: 300 });
    });

    afterEach(() => {
      routes.clear();
      seen.length = 0;
    });

    afterAll(async () => {
      await transport.close();
      await stub.close();
    });

    it('should keep the path of the base URL in front of /api/v0', async () => {
      await expect(transport.json('users/current', ALICE, undefined)).resolves.toEqual({ ok: true });
      expect(seen.at(-1)?.url).toBe('/deepseek/api/v0/users/current');
    });

    it('should send exactly the web client headers, with no accept-encoding and no HTTP library identity', async () => {
      const signal = new AbortController().signal;
      routes.set('/chat/completion', (_req, res) => sendJsonText(res, 200, 'data: {}\n\n', 'text/event-stream'));

      await transport.json('users/current', ALICE, undefined);
      await transport.json('chat_session/create', ALICE, { a: 1 });
      const { body } = await transport.stream('chat/completion', ALICE, {}, { 'x-ds-pow-response': 'pow' }, signal);
      await readAll(body);

      const common = {
        accept: 'application/json',
        'accept-language': 'en-US,en;q=0.9',
        authorization: `Bearer ${ALICE}`,
        connection: 'keep-alive',
        host: new URL(stub.url).host,
        origin: stub.url,
        referer: `${stub.url}/`,
        'user-agent': USER_AGENT,
        'x-app-version': '20260401.1',
        'x-client-locale': 'en_US',
        'x-client-platform': 'web',
        'x-client-timezone-offset': '28800',
        'x-client-version': '1.7.0',
      };
      const json = { 'content-length': '7', 'content-type': 'application/json' };
      expect(seen.map(({ method, headers }) => ({ method, headers }))).toEqual([
        { method: 'GET', headers: common },
        { method: 'POST', headers: { ...common, ...json } },
        {
          method: 'POST',
          headers: {
            ...common,
            accept: 'text/event-stream',
            'x-ds-pow-response': 'pow',
            ...json,
            'content-length': '2',
          },
        },
      ]);
    });

    it('should reuse one keep-alive connection for calls one after another', async () => {
      for (let i = 0; i < 3; i++) await transport.json('users/current', ALICE, undefined);

      expect(new Set(seen.map((s) => s.port)).size).toBe(1);
    });

    it.each([
      ['a successful envelope', 'json', 200],
      ['an event stream with an error status', 'sse', 500],
    ])('should reject %s from a streaming endpoint as bad_response', async (_name, kind, status) => {
      routes.set('/chat/completion', (req, res) => {
        if (req.headers['x-case'] === 'json') sendJsonText(res, 200, '{"code":0,"msg":"","data":{"biz_code":0}}');
        else sendJsonText(res, 500, 'data: {}\n\n', 'text/event-stream');
      });
      const signal = new AbortController().signal;
      const error = await upstreamErrorOf(transport.stream('chat/completion', ALICE, {}, { 'x-case': kind }, signal));

      expect(error).toBeInstanceOf(UpstreamError);
      expect(error.kind).toBe('bad_response');
      expect(error.details.status).toBe(status);
    });

    it.each([
      ['an HTML page', 403, 'text/html', 'blocked'],
      ['a redirect, not followed', 302, 'text/html', 'blocked'],
      ['HTTP 429 without an envelope', 429, 'text/plain', 'throttled'],
      ['an error envelope with HTTP 500', 500, 'application/json', 'bad_response'],
    ])('should classify %s itself, whatever the status', async (_name, status, type, kind) => {
      routes.set('/users/current', (_req, res) => {
        res.writeHead(status, { 'content-type': type, location: `${stub.url}/elsewhere` });
        res.end(type === 'application/json' ? '{"code":1,"msg":"boom"}' : '<html>no</html>');
      });

      const error = await upstreamErrorOf(transport.json('users/current', ALICE, undefined));

      expect(error.kind).toBe(kind);
      expect(error.details.status).toBe(status);
      expect(seen.map((s) => s.url)).toEqual(['/deepseek/api/v0/users/current']);
    });

    it('should hand over the body as sent, without decoding a content-encoding', async () => {
      const raw = 'data: {"v":"not really gzip"}\n\n';
      routes.set('/chat/completion', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
        res.end(raw);
      });

      const { body, headers } = await transport.stream('chat/completion', ALICE, {}, {}, new AbortController().signal);

      expect(headers['content-encoding']).toBe('gzip');
      await expect(readAll(body)).resolves.toBe(raw);
    });

    it('should time out without headers, and when the body goes quiet', async () => {
      routes.set('/users/current', () => undefined);
      routes.set('/chat/completion', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {}\n\n');
      });

      const late = await upstreamErrorOf(transport.json('users/current', ALICE, undefined));
      const { body } = await transport.stream('chat/completion', ALICE, {}, {}, new AbortController().signal);
      const quiet = await readAll(body).then(
        () => null,
        (error: unknown) => error,
      );

      expect(late.kind).toBe('timeout');
      expect(late.message).toContain('HEADERS_TIMEOUT');
      expect(quiet).toMatchObject({ code: 'IDLE_TIMEOUT' });
    });

    it('should map a connection cut in the middle of a JSON answer to bad_response', async () => {
      routes.set('/users/current', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"code":0,');
        setTimeout(() => res.destroy(), 20);
      });

      const error = await upstreamErrorOf(transport.json('users/current', ALICE, undefined));

      expect(error.kind).toBe('bad_response');
    });

    it('should stop the request, close its socket and give back the reason when aborted', async () => {
      const closedAt: string[] = [];
      routes.set('/chat/completion', (req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {}\n\n');
        req.socket.once('close', () => closedAt.push('stream'));
      });
      routes.set('/users/current', (req) => req.socket.once('close', () => closedAt.push('json')));
      const reason = new Error('our client left');

      const waiting = new AbortController();
      const call = transport.json('users/current', ALICE, undefined, waiting.signal);
      await waitUntil(() => seen.length === 1, 'the JSON request');
      waiting.abort(reason);
      await expect(call).rejects.toBe(reason);

      const streaming = new AbortController();
      const { body } = await transport.stream('chat/completion', ALICE, {}, {}, streaming.signal);
      body.on('error', () => undefined);
      streaming.abort(reason);

      await waitUntil(() => closedAt.length === 2, 'both sockets to close');
      expect(closedAt.sort()).toEqual(['json', 'stream']);
      expect(body.destroyed).toBe(true);
    });

    it('should carry a paused body back to the sender: it stops writing until the body resumes', async () => {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const total = 256;
      let written = 0;
      let waitedForDrain = false;
      routes.set('/chat/completion', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const pump = () => {
          while (written < total) {
            written++;
            if (!res.write(chunk)) {
              waitedForDrain = true;
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
      });

      // This transport's idle timeout (300 ms) would cut the paused body.
      const patient = transportFor(`${stub.url}/deepseek`);
      const { body } = await patient.stream('chat/completion', ALICE, {}, {}, new AbortController().signal);
      body.pause();
      await sleep(300);
      const writtenWhilePaused = written;
      await sleep(200);

      expect(waitedForDrain).toBe(true);
      expect(written).toBe(writtenWhilePaused);
      expect(written).toBeLessThan(total);
      body.resume();
      const received = await readAll(body);
      expect(received.length).toBe(total * chunk.length);
      expect(written).toBe(total);
      await patient.close();
    });
  });

  describe('with HTTP_PROXY and HTTPS_PROXY set', () => {
    let proxy: Server;
    let proxied = 0;
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, HTTPS_PROXY: process.env.HTTPS_PROXY };

    beforeAll(async () => {
      proxy = createServer((socket: Socket) => {
        proxied++;
        socket.destroy();
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      process.env.HTTP_PROXY = url;
      process.env.HTTPS_PROXY = url;
    });

    afterAll(async () => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await new Promise((resolve) => proxy.close(resolve));
    });

    it('should ignore them and talk to the base URL directly', async () => {
      const transport = transportFor(fake.url);

      await expect(transport.json('users/current', ALICE, undefined)).resolves.toMatchObject({ token: ALICE });
      await transport.close();

      expect(proxied).toBe(0);
    });
  });
});
