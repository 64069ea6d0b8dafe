import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { ResponseSink } from './response-sink';

/** A server whose handler gets each response with a sink; the test drives the writes. */
async function serve(
  handle: (res: ServerResponse, sink: ResponseSink) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    req.resume();
    res.setHeader('content-type', 'text/event-stream');
    handle(res, new ResponseSink(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Raw bytes of what the server sends on one connection after `requests` were written to it. */
function rawExchange(port: number, requests: string, until: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(requests));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      if (until(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
  });
}

/** A server that writes `texts` through the sink and ends each response. */
const serveWrites = (...texts: string[]) =>
  serve((res, sink) => {
    for (const text of texts) sink.write(text);
    res.end();
  });

const request11 = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
const bodyOf = (raw: string) => raw.slice(raw.indexOf('\r\n\r\n') + 4);

describe('ResponseSink', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('should send each write as one HTTP chunk once the head is out, then let res.end close the body', async () => {
    const started = await serve((res, sink) => {
      sink.write('data: a\n\n'); // the head goes with this one, through res.write
      sink.write('data: 中文 é\n\n');
      setImmediate(() => {
        sink.write('data: [DONE]\n\n');
        res.end();
      });
    });
    server = started.server;
    const raw = await rawExchange(started.port, request11('/'), (text) => text.endsWith('0\r\n\r\n'));
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toMatch(/\r\nTransfer-Encoding: chunked\r\n/);
    const utf8 = Buffer.byteLength('data: 中文 é\n\n').toString(16);
    expect(bodyOf(raw)).toBe(`9\r\ndata: a\n\n\r\n${utf8}\r\ndata: 中文 é\n\n\r\ne\r\ndata: [DONE]\n\n\r\n0\r\n\r\n`);
  });

  it('should keep a kept-alive connection usable: the next response on it comes whole after the streamed one', async () => {
    const started = await serveWrites('first\n', 'second\n');
    server = started.server;
    const raw = await rawExchange(
      started.port,
      request11('/one') + request11('/two'),
      (text) => text.split('0\r\n\r\n').length === 3,
    );
    const responses = raw.split(/(?=HTTP\/1\.1 200 OK\r\n)/);
    expect(responses).toHaveLength(2);
    for (const response of responses) expect(bodyOf(response)).toBe('6\r\nfirst\n\r\n7\r\nsecond\n\r\n0\r\n\r\n');
  });

  it('should write an HTTP/1.0 body (not chunked) through res.write, as it is', async () => {
    const started = await serveWrites('data: a\n\n', 'data: b\n\n');
    server = started.server;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(started.port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).not.toMatch(/Transfer-Encoding/i);
    expect(bodyOf(raw)).toBe('data: a\n\ndata: b\n\n');
  });

  it('should report full buffers while the client does not read, and call the drain listener once it read', async () => {
    let clientReads = false;
    let waiting = false;
    let drained: () => void = () => undefined;
    const drain = new Promise<void>((resolve) => (drained = resolve));
    const started = await serve((res, sink) => {
      const frame = 'x'.repeat(16 * 1024);
      const fill = (): void => {
        while (sink.write(frame));
        waiting = true;
      };
      // Full buffers drain into the kernel's at first; once those are full too, only the client's reads drain them.
      sink.onDrain(() => {
        waiting = false;
        if (!clientReads) return fill();
        sink.offDrain();
        drained();
        res.end();
      });
      sink.write('head\n');
      fill();
    });
    server = started.server;
    const socket = connect(started.port, '127.0.0.1', () => socket.write(request11('/')));
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waiting).toBe(true);
    clientReads = true;
    socket.resume();
    await drain;
    expect(waiting).toBe(false);
    socket.destroy();
  });
});
