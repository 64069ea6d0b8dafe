import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { UpstreamAgent } from './upstream-agent';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** An exchange with a 256 KB Buffer body (a WeakRef can tell whether anything still holds it); nothing here keeps it. */
async function exchangeWithBody(agent: UpstreamAgent, signal: AbortSignal) {
  const body = Buffer.alloc(256 * 1024, 'a');
  const answer = await agent.exchange('/stream', 'POST', { 'content-type': 'application/json' }, body, {
    signal,
    headersTimeoutMs: 5_000,
    idleTimeoutMs: 60_000,
  });
  return { answer, bodyRef: new WeakRef(body) };
}

describe('UpstreamAgent', () => {
  let server: Server;
  let origin: URL;
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    // Reads the body, then answers with headers and one chunk and keeps the answer open.
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.once('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {}\n\n');
        held.push(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    for (const res of held) res.end();
    await new Promise((resolve) => server.close(resolve));
  });

  it('should not keep the request body alive while the answer streams', async () => {
    const agent = new UpstreamAgent(origin);
    const controller = new AbortController();
    const { answer, bodyRef } = await exchangeWithBody(agent, controller.signal);
    await new Promise((resolve) => answer.once('data', resolve));
    await nextTurn();
    gc();

    expect(answer.destroyed).toBe(false);
    expect(bodyRef.deref()).toBeUndefined();

    controller.abort();
    await new Promise((resolve) => answer.once('close', resolve));
    agent.destroy();
  });

  it('should reject, not throw, when a header cannot be sent', async () => {
    const agent = new UpstreamAgent(origin);

    // A throw here fails the test before the expectation: callers may chain on the promise.
    const pending = agent.exchange('/', 'GET', { 'x-bad': 'line\nbreak' }, undefined, { headersTimeoutMs: 5_000 });

    await expect(pending).rejects.toMatchObject({ code: 'ERR_INVALID_CHAR' });
    agent.destroy();
  });
});
