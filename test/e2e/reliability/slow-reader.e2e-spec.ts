import type { ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { chatBody } from '../../utils/chat-http';
import { openRequest, rawRequest, type RawExchange } from '../../utils/http/raw-request';
import { UpstreamProxy } from '../../utils/http/upstream-proxy';
import { LogCapture } from '../../utils/log-capture';
import { parseExposition, valueOf } from '../../utils/prometheus';
import { makeTokens } from '../../utils/secrets';
import { waitUntil } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const STREAMS = 4;
const WRITE_TIMEOUT_MS = 3_000;
/** Unbounded, the gateway would hold all it reads of an endless answer; held, RSS moves by allocator noise. */
const RSS_GROWTH_BOUND_MB = 64;
/**
 * JS heap and buffers per held stream, for everything in this process: the gateway's stream buffers (the
 * upstream body, the SSE readable, the response; no copy of the answer), this test's own client and the
 * proxy's writer. The gateway alone is measured by `npm run bench` (scenario 5).
 */
const HELD_PER_STREAM_KB = 1024;
const CHUNK = 'x'.repeat(1024);

/**
 * The fake upstream for everything but `chat/completion`, which it answers itself with an answer that
 * never ends, written as fast as the gateway reads (it waits for `drain`): how far it gets shows how
 * far backpressure lets it. Kernel socket buffers on loopback hold tens of MB, so only an endless
 * answer can show where the gateway stops reading.
 */
class EndlessAnswerProxy extends UpstreamProxy {
  written = 0;
  stops = 0;

  constructor() {
    super();
    this.intercept = (req, res) => {
      if (req.url === '/api/v0/chat/stop_stream') this.stops++;
      if (req.url !== '/api/v0/chat/completion') return false;
      req.resume();
      this.endless(res);
      return true;
    };
  }

  private endless(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.write('event: ready\ndata: {"request_message_id":1,"response_message_id":2,"model_type":"default"}\n\n');
    res.write(
      'data: {"v":{"response":{"message_id":2,"parent_id":1,"fragments":[{"id":1,"type":"RESPONSE","content":"Hi"}],"status":"WIP"}}}\n\n',
    );
    res.write(`data: {"p":"response/fragments/-1/content","o":"APPEND","v":"${CHUNK}"}\n\n`);
    const frame = `data: {"v":"${CHUNK}"}\n\n`;
    const pump = (): void => {
      while (!res.destroyed) {
        this.written += frame.length;
        if (!res.write(frame)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }
}

/** Opens a stream and never reads a byte of it; resolves when the answer has started. */
async function openUnreadStream(baseURL: string, token: string): Promise<RawExchange> {
  const stream = openRequest(`${baseURL}/chat/completions`, chatBody({ stream: true }), {
    tokens: [token],
    read: false,
  });
  await stream.responded;
  return stream;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** RSS and the JS heap plus buffers after a full collection: what is held, not garbage waiting for the collector. */
function held(): { rss: number; js: number } {
  gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, js: usage.heapUsed + usage.external };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => bytes / 2 ** 20;

describe('clients that stop reading a stream (e2e)', () => {
  let stack: Stack;
  const proxy = new EndlessAnswerProxy();
  const logs = new LogCapture();
  const [warmUpToken, ...tokens] = makeTokens('slow-reader', STREAMS + 1);

  beforeAll(async () => {
    const proxyUrl = await proxy.listen();
    stack = await startStack({
      tokens: [warmUpToken, ...tokens],
      env: { DEEPSEEK_BASE_URL: proxyUrl, CLIENT_WRITE_TIMEOUT_MS: String(WRITE_TIMEOUT_MS) },
      logger: logs,
    });
    proxy.target = stack.fake.url;
  });
  afterAll(async () => {
    await stack?.close();
    await proxy.close();
  });

  it('should stop reading the upstream for a client that reads nothing, hold memory flat, then cut it and stop the generation', async () => {
    // One stalled stream first (PoW workers, first-use allocations), so the figure is the streams' own.
    const warmUp = await openUnreadStream(stack.baseURL, warmUpToken);
    await sleep(WRITE_TIMEOUT_MS / 4);
    proxy.written = 0;
    const before = held();
    const clients = await Promise.all(tokens.map((token) => openUnreadStream(stack.baseURL, token)));

    // Socket buffers fill, then the upstream is held: what it has written stops growing.
    await sleep(WRITE_TIMEOUT_MS / 2);
    const writtenEarly = proxy.written;
    await sleep(WRITE_TIMEOUT_MS / 4);
    const writtenLater = proxy.written;
    const after = held();
    const growthMb = mb(after.rss - before.rss);
    const jsPerStreamKb = (after.js - before.js) / 1024 / STREAMS;

    // Then each client is cut, its generation stopped upstream, its account freed.
    await waitUntil(() => proxy.stops === STREAMS + 1 && stack.pool().leases === 0, 10_000);
    [warmUp, ...clients].forEach((client) => client.drop());

    console.log(
      `slow readers: ${STREAMS} endless streams, upstream held at ${mb(writtenLater).toFixed(1)} MB in all ` +
        `(${mb(writtenLater - writtenEarly).toFixed(2)} MB more in ${WRITE_TIMEOUT_MS / 4} ms), RSS growth ${growthMb.toFixed(1)} MB, ` +
        `JS heap and buffers ${jsPerStreamKb.toFixed(0)} KB per stream`,
    );
    expect(mb(writtenLater - writtenEarly)).toBeLessThan(1);
    expect(growthMb).toBeLessThan(RSS_GROWTH_BOUND_MB);
    expect(jsPerStreamKb).toBeLessThan(HELD_PER_STREAM_KB);
    const cuts = logs.lines.filter((line) => line.includes('stream cut: the client read nothing'));
    expect(cuts).toHaveLength(STREAMS + 1);
    const exposition = parseExposition((await rawRequest(`${stack.server.url}/metrics`)).text);
    expect(valueOf(exposition, 'deepseek_gateway_client_write_timeouts_total')).toBe(STREAMS + 1);
  }, 30_000);
});
