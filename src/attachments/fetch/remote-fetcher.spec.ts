import type { ServerResponse } from 'node:http';
import { ClientGoneError } from '../../common/lifecycle/abort';
import { isForbiddenAddress } from './address-policy';
import type { Resolve } from './guarded-lookup';
import { RemoteFetchError, type RemoteFetchReason } from './remote-fetch-error';
import { RemoteFetcher, type RemoteFetcherOptions } from './remote-fetcher';
import { startLocalServer, unusedPort, type LocalServer } from '../../../test/utils/attachments/local-server';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const PDF = Buffer.from('%PDF-1.7\n%…\n');

/** In these tests 127.0.0.2 plays a public server; every other address is judged by the real policy. */
const PUBLIC_STAND_IN = '127.0.0.2';
const treat127002AsPublic = (ip: string) => ip !== PUBLIC_STAND_IN && isForbiddenAddress(ip, { allowPrivate: false });

/** A resolver for made-up names; any other name fails as unknown. */
function fakeDns(table: Record<string, string[]>): Resolve {
  return (name) =>
    Promise.resolve(
      table[name] === undefined
        ? Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }))
        : table[name].map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
}

function fetcher(options: Partial<RemoteFetcherOptions> = {}): RemoteFetcher {
  return new RemoteFetcher({
    allowPrivate: false,
    maxBytes: 1024 * 1024,
    timeoutMs: 5_000,
    maxRedirects: 3,
    allowedTypes: ['image/*', 'application/pdf', 'text/*'],
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<RemoteFetchError> {
  const error = await promise.then(
    () => {
      throw new Error('the fetch succeeded');
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RemoteFetchError);
  return error as RemoteFetchError;
}

async function expectReason(promise: Promise<unknown>, reason: RemoteFetchReason): Promise<RemoteFetchError> {
  const error = await failure(promise);
  expect(error.reason).toBe(reason);
  return error;
}

function send(response: ServerResponse, type: string | null, body: Buffer, headers: Record<string, string> = {}) {
  response.writeHead(200, { ...(type === null ? {} : { 'content-type': type }), ...headers });
  response.end(body);
}

const servers: LocalServer[] = [];
async function serve(host: string, handler: Parameters<typeof startLocalServer>[1], port?: number) {
  const server = await startLocalServer(host, handler, port);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('RemoteFetcher: addresses', () => {
  it('fetches from a private address only with allowPrivate', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'image/png', PNG));

    await expectReason(fetcher().fetch(server.url('/cat.png')), 'forbidden_address');
    expect(server.requests).toEqual([]);

    const file = await fetcher({ allowPrivate: true }).fetch(server.url('/cat.png?size=2'));
    expect(file).toEqual({
      bytes: PNG,
      contentType: 'image/png',
      fileName: 'cat.png',
      finalUrl: server.url('/cat.png?size=2'),
    });
  });

  it('refuses a redirect from a public-looking host to a private address, and never asks the private one', async () => {
    const secret = await serve('127.0.0.1', (_req, res) => send(res, 'text/plain', Buffer.from('secret')));
    const front = await serve(PUBLIC_STAND_IN, (_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${secret.port}/secret` }).end();
    });
    const lookup = fakeDns({ 'images.example.test': [PUBLIC_STAND_IN] });

    const error = await expectReason(
      fetcher({ lookup, isForbidden: treat127002AsPublic }).fetch(`http://images.example.test:${front.port}/a.png`),
      'forbidden_address',
    );
    expect(front.requests).toEqual(['/a.png']);
    expect(secret.requests).toEqual([]);
    expect(error.message).toContain('127.0.0.1');
    expect(error.message).not.toContain('/secret');
  });

  it('refuses a redirect to a name that resolves to a private address (judged at connect time)', async () => {
    const secret = await serve('127.0.0.1', (_req, res) => send(res, 'text/plain', Buffer.from('secret')));
    const front = await serve(PUBLIC_STAND_IN, (_req, res) => {
      res.writeHead(307, { location: `http://internal.example.test:${secret.port}/secret` }).end();
    });
    const lookup = fakeDns({ 'images.example.test': [PUBLIC_STAND_IN], 'internal.example.test': ['127.0.0.1'] });

    await expectReason(
      fetcher({ lookup, isForbidden: treat127002AsPublic }).fetch(`http://images.example.test:${front.port}/a.png`),
      'forbidden_address',
    );
    expect(secret.requests).toEqual([]);
  });

  it('connects only to the allowed address of a name that resolves to a private and a public one', async () => {
    const publicServer = await serve(PUBLIC_STAND_IN, (_req, res) => send(res, 'image/png', PNG));
    const privateServer = await serveOnPortOrSkip('127.0.0.1', publicServer.port);
    if (!privateServer) return;
    const lookup = fakeDns({ 'mixed.example.test': ['127.0.0.1', PUBLIC_STAND_IN] });

    const file = await fetcher({ lookup, isForbidden: treat127002AsPublic }).fetch(
      `http://mixed.example.test:${publicServer.port}/x.png`,
    );
    expect(file.bytes).toEqual(PNG);
    expect(publicServer.requests).toEqual(['/x.png']);
    expect(privateServer.requests).toEqual([]);
  });

  it('refuses a name whose every address is forbidden', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'image/png', PNG));
    const lookup = fakeDns({ 'rebind.example.test': ['127.0.0.1', '10.0.0.1', '::1'] });
    await expectReason(fetcher({ lookup }).fetch(`http://rebind.example.test:${server.port}/`), 'forbidden_address');
    expect(server.requests).toEqual([]);
  });

  it.each([
    ['a decimal IPv4 literal', (port: number) => `http://2130706433:${port}/`],
    ['a hex IPv4 literal', (port: number) => `http://0x7f.1:${port}/`],
    ['an octal IPv4 literal', (port: number) => `http://0177.0.0.1:${port}/`],
    ['a short IPv4 literal', (port: number) => `http://127.1:${port}/`],
    ['a trailing-dot IPv4 literal', (port: number) => `http://127.0.0.1.:${port}/`],
    ['0 (this host)', (port: number) => `http://0:${port}/`],
    ['an IPv4-mapped IPv6 literal', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ['a NAT64 literal of the loopback', (port: number) => `http://[64:ff9b::7f00:1]:${port}/`],
    ['the IPv6 loopback', (port: number) => `http://[::1]:${port}/`],
    ['localhost by name', (port: number) => `http://localhost:${port}/`],
    ['a trailing-dot localhost', (port: number) => `http://LOCALHOST.:${port}/`],
  ])('refuses %s', async (_what, url) => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'image/png', PNG));
    await expectReason(fetcher().fetch(url(server.port)), 'forbidden_address');
    expect(server.requests).toEqual([]);
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/iam/'],
    ['http://metadata.google.internal/computeMetadata/v1/'],
    ['http://[fd00:ec2::254]/latest/'],
  ])('refuses the metadata endpoint %s even with allowPrivate', async (url) => {
    await expectReason(fetcher({ allowPrivate: true }).fetch(url), 'forbidden_address');
  });

  it('resolves real names with the system resolver (localhost, with allowPrivate)', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'image/png', PNG));
    const file = await fetcher({ allowPrivate: true }).fetch(`http://localhost:${server.port}/a.png`);
    expect(file.bytes).toEqual(PNG);
  });

  it('answers unreachable for a port nothing listens on, and for an unknown name', async () => {
    const port = await unusedPort('127.0.0.1');
    await expectReason(fetcher({ allowPrivate: true }).fetch(`http://127.0.0.1:${port}/`), 'unreachable');
    await expectReason(fetcher({ lookup: fakeDns({}) }).fetch('http://nowhere.example.test/'), 'unreachable');
  });
});

describe('RemoteFetcher: URLs and redirects', () => {
  it.each([
    ['file:///etc/passwd'],
    ['ftp://127.0.0.1/file.png'],
    ['data:image/png;base64,iVBORw0KGgo='],
    ['javascript:alert(1)'],
    ['gopher://127.0.0.1:6379/_FLUSHALL'],
    ['not a url'],
    ['/relative/path.png'],
  ])('refuses %s as a bad URL', async (url) => {
    await expectReason(fetcher({ allowPrivate: true }).fetch(url), 'bad_url');
  });

  it('refuses credentials in the URL without echoing them', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'image/png', PNG));
    const error = await expectReason(
      fetcher({ allowPrivate: true }).fetch(`http://alice:hunter2@127.0.0.1:${server.port}/a.png`),
      'bad_url',
    );
    expect(error.message).not.toMatch(/alice|hunter2/);
    expect(server.requests).toEqual([]);
  });

  it.each([
    ['a file: URL', 'file:///etc/passwd'],
    ['credentials', 'http://bob:secret@127.0.0.1:1/'],
  ])('refuses a redirect to %s', async (_what, location) => {
    const server = await serve('127.0.0.1', (_req, res) => res.writeHead(301, { location }).end());
    await expectReason(fetcher({ allowPrivate: true }).fetch(server.url('/')), 'bad_url');
  });

  it('follows a relative redirect and reports the final URL', async () => {
    const server = await serve('127.0.0.1', (req, res) => {
      if (req.url === '/old/a.png') res.writeHead(308, { location: '../new/b.png?v=2' }).end();
      else send(res, 'image/png', PNG, { 'content-disposition': 'inline; filename="photo.png"' });
    });
    const file = await fetcher({ allowPrivate: true }).fetch(server.url('/old/a.png'));
    expect(file.finalUrl).toBe(server.url('/new/b.png?v=2'));
    expect(file.fileName).toBe('photo.png');
    expect(server.requests).toEqual(['/old/a.png', '/new/b.png?v=2']);
  });

  it('stops after maxRedirects', async () => {
    const server = await serve('127.0.0.1', (req, res) => {
      res.writeHead(302, { location: `/hop${server.requests.length}` }).end();
    });
    await expectReason(fetcher({ allowPrivate: true, maxRedirects: 3 }).fetch(server.url('/')), 'too_many_redirects');
    expect(server.requests).toHaveLength(4);
  });

  it('takes a redirect status without Location as a bad status', async () => {
    const server = await serve('127.0.0.1', (_req, res) => res.writeHead(302).end());
    await expectReason(fetcher({ allowPrivate: true }).fetch(server.url('/')), 'bad_status');
  });

  it('refuses an error status, naming the host but not the path', async () => {
    const server = await serve('127.0.0.1', (_req, res) => res.writeHead(404).end('nope'));
    const error = await expectReason(
      fetcher({ allowPrivate: true }).fetch(server.url('/private/token=abc')),
      'bad_status',
    );
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
    expect(error.message).toContain('404');
    expect(error.message).not.toContain('token=abc');
  });
});

describe('RemoteFetcher: content types', () => {
  it('takes the media type of the header, lower-cased, without parameters', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'Application/PDF; name=x', PDF));
    const file = await fetcher({ allowPrivate: true }).fetch(server.url('/doc'));
    expect(file.contentType).toBe('application/pdf');
    expect(file.fileName).toBe('doc');
  });

  it('refuses a type outside the allowed list before reading the body', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'text/html', Buffer.from('<html>')));
    const error = await expectReason(
      fetcher({ allowPrivate: true, allowedTypes: ['image/*'] }).fetch(server.url('/')),
      'bad_type',
    );
    expect(error.message).toContain('text/html');
  });

  it.each([
    ['no Content-Type', null],
    ['application/octet-stream', 'application/octet-stream'],
  ])('with %s, sniffs the first bytes', async (_what, type) => {
    const server = await serve('127.0.0.1', (req, res) =>
      send(res, type, req.url === '/png' ? PNG : Buffer.from('hi')),
    );
    const file = await fetcher({ allowPrivate: true }).fetch(server.url('/png'));
    expect(file.contentType).toBe('image/png');
    await expectReason(fetcher({ allowPrivate: true }).fetch(server.url('/text')), 'bad_type');
  });

  it('refuses sniffed bytes of a type that is not allowed', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, null, PDF));
    await expectReason(fetcher({ allowPrivate: true, allowedTypes: ['image/*'] }).fetch(server.url('/')), 'bad_type');
  });

  it('refuses a compressed body', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'image/png', PNG, { 'content-encoding': 'gzip' }));
    await expectReason(fetcher({ allowPrivate: true }).fetch(server.url('/')), 'bad_type');
  });
});

describe('RemoteFetcher: size and time', () => {
  it('refuses a Content-Length above the cap without reading the body', async () => {
    const server = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '2001' });
      res.write(PNG); // the rest never comes: the cap must not wait for it
    });
    await expectReason(fetcher({ allowPrivate: true, maxBytes: 2000 }).fetch(server.url('/')), 'too_large');
  });

  it('accepts a chunked body of exactly the cap', async () => {
    const body = Buffer.concat([PNG, Buffer.alloc(2000 - PNG.length)]);
    const server = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(body.subarray(0, 1000));
      res.end(body.subarray(1000));
    });
    const file = await fetcher({ allowPrivate: true, maxBytes: 2000 }).fetch(server.url('/'));
    expect(file.bytes).toEqual(body);
  });

  it('cuts off a chunked body as soon as it passes the cap, and closes the connection', async () => {
    const chunk = Buffer.alloc(16 * 1024, 1);
    const endless = 64 * 1024 * 1024;
    let written = 0;
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.on('close', closed);
      const pump = () => {
        while (written < endless && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });

    await expectReason(fetcher({ allowPrivate: true, maxBytes: 100_000 }).fetch(server.url('/')), 'too_large');
    await connectionClosed;
    expect(written).toBeLessThan(endless);
  });

  it('times out a server that never answers', async () => {
    const server = await serve('127.0.0.1', () => undefined);
    const started = Date.now();
    const error = await expectReason(fetcher({ allowPrivate: true, timeoutMs: 200 }).fetch(server.url('/')), 'timeout');
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(error.message).toContain('200 ms');
  });

  it('counts name resolution in the time cap', async () => {
    const lookup: Resolve = () => new Promise(() => undefined);
    await expectReason(fetcher({ lookup, timeoutMs: 200 }).fetch('http://slow-dns.example.test/'), 'timeout');
  });

  it('times out a body that stalls after the headers', async () => {
    const server = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(PNG);
    });
    await expectReason(fetcher({ allowPrivate: true, timeoutMs: 200 }).fetch(server.url('/')), 'timeout');
  });

  it('counts the time cap across redirects', async () => {
    const server = await serve('127.0.0.1', (req, res) => {
      if (req.url === '/') res.writeHead(302, { location: '/slow' }).end();
    });
    await expectReason(fetcher({ allowPrivate: true, timeoutMs: 200 }).fetch(server.url('/')), 'timeout');
    expect(server.requests).toEqual(['/', '/slow']);
  });

  it("stops the request when the caller aborts, with the caller's reason", async () => {
    const controller = new AbortController();
    const reason = new ClientGoneError();
    let closed!: () => void;
    const requestClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = await serve('127.0.0.1', (req, res) => {
      res.on('close', closed);
      controller.abort(reason);
    });

    const error = await fetcher({ allowPrivate: true })
      .fetch(server.url('/'), controller.signal)
      .catch((thrown: unknown) => thrown);
    expect(error).toBe(reason);
    await requestClosed;
    expect(server.requests).toEqual(['/']);
  });

  it('does not start when the signal is already aborted', async () => {
    const server = await serve('127.0.0.1', (_req, res) => send(res, 'image/png', PNG));
    const error = await fetcher({ allowPrivate: true })
      .fetch(server.url('/'), AbortSignal.abort())
      .catch((thrown: unknown) => thrown);
    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toEqual([]);
  });
});

/** A second server on `port` of another loopback address; skips (returns null) in the rare case the port is taken. */
async function serveOnPortOrSkip(host: string, port: number): Promise<LocalServer | null> {
  try {
    return await serve(host, (_req, res) => send(res, 'text/plain', Buffer.from('private')), port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.warn(`port ${port} is taken on ${host}; the mixed-address case is skipped`);
    return null;
  }
}
