import { Agent } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { chatBody } from '../utils/chat-http';
import { rawRequest, type RawResponse } from '../utils/http/raw-request';
import { type ChatStream, readChatStream } from '../utils/sse/chat-stream';
import { LogCapture } from '../utils/log-capture';
import { expectNoSecrets, makeTokens } from '../utils/secrets';
import { expectSettled } from '../utils/settle';
import { type Stack, startStack } from '../utils/stack';

const CLIENTS = 500;
const ACCOUNTS = 20;
const QUEUE_MAX = 100;
const ROUNDS = 3;
const REPLY = 'Soak test answer: enough tokens to keep an account busy for a moment.';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Outcome = 'completed' | 'rate_limited' | 'rate_limited_in_stream' | 'other';

interface RoundFigures {
  round: number;
  ms: number;
  completed: number;
  rateLimited: number;
  rateLimitedInStream: number;
  other: number;
  rssMb: number;
  heapMb: number;
  /** What the fake upstream saw: generations, busy refusals, and the most generations one account ran at once. */
  upstream: { generations: number; busyRefusals: number; maxInFlightPerAccount: number };
}

describe('soak: 500 concurrent streaming clients over 20 accounts', () => {
  jest.setTimeout(15 * 60_000);
  const tokens = makeTokens('soak', ACCOUNTS);
  // A connection per client, as 500 separate clients have (reused idle sockets race the server's keep-alive timeout).
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  let stack: Stack;
  const logs = new LogCapture();

  beforeAll(async () => {
    stack = await startStack({
      tokens,
      // Real per-account locks upstream: a second generation on an account is refused as busy.
      fake: { allowConcurrentGenerations: false, tokenDelayMs: 1, reply: { content: REPLY } },
      // A short queue and short waits, so every round also ends requests in each documented way: 429 when the
      // queue is full, and a queue timeout after the stream committed to 200 as its only (error) frame.
      env: { QUEUE_MAX_LENGTH: String(QUEUE_MAX), QUEUE_TIMEOUT_MS: '4000', KEEPALIVE_INTERVAL_MS: '2000' },
      logger: logs,
    });
  });
  afterAll(async () => {
    agent.destroy();
    await stack?.close();
  });

  /** One streaming client, read to its end and sorted into what the contract allows (or not). */
  function client(): Promise<{ outcome: Outcome; detail: string }> {
    return rawRequest(`${stack.server.url}/v1/chat/completions`, chatBody({ stream: true }), {
      tokens,
      agent,
      timeoutMs: 120_000,
    }).then(
      (res) => classify(res),
      (error: Error) => ({ outcome: 'other', detail: `request error ${error.message}` }),
    );
  }

  it('should complete or 429 every request in every round, leak no lease, and hold its memory steady', async () => {
    const figures: RoundFigures[] = [];
    const strays: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: CLIENTS }, () => client()));
      const ms = Date.now() - started;
      await expectSettled(stack, 10_000);
      const accounts = Object.values(stack.fake.state().accounts);
      // The in-process fake records every message; forget them so the figures are the gateway's.
      stack.fake.reset();
      gc();
      await new Promise((resolve) => setTimeout(resolve, 500));
      gc();
      const { rss, heapUsed } = process.memoryUsage();
      const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
      strays.push(...results.filter((r) => r.outcome === 'other').map((r) => `round ${round}: ${r.detail}`));
      figures.push({
        round,
        ms,
        completed: count('completed'),
        rateLimited: count('rate_limited'),
        rateLimitedInStream: count('rate_limited_in_stream'),
        other: count('other'),
        rssMb: Math.round((rss / 2 ** 20) * 10) / 10,
        heapMb: Math.round((heapUsed / 2 ** 20) * 10) / 10,
        upstream: {
          generations: accounts.reduce((n, a) => n + a.generations, 0),
          busyRefusals: accounts.reduce((n, a) => n + a.busyRefusals, 0),
          maxInFlightPerAccount: Math.max(...accounts.map((a) => a.maxInFlight)),
        },
      });
    }
    console.log(JSON.stringify(figures));

    expect(strays.slice(0, 5)).toEqual([]);
    for (const round of figures) {
      expect(round.completed + round.rateLimited + round.rateLimitedInStream).toBe(CLIENTS);
      expect(round.upstream.maxInFlightPerAccount).toBe(1);
      expect(round.upstream.generations).toBe(round.completed);
    }
    const [first, , last] = figures;
    // The heap after a GC is the leak detector. RSS also counts what the allocator keeps after frees (and
    // Jest's own memory): two CI runs of the same build read 409 → 440 → 379 MB and 396 → 463 → 439 MB
    // with the heap flat at 75–79 MB, so RSS gets a bound that only growth well beyond that noise breaks.
    expect(last.rssMb).toBeLessThanOrEqual(first.rssMb * 1.25);
    expect(last.heapMb).toBeLessThanOrEqual(first.heapMb * 1.1);
    expectNoSecrets(logs.text(), tokens, 'the gateway log of the soak');
  });
});

/**
 * The contract: a whole answer; or 429 with retry-after (docs/api.md §4.2); or, for a request that
 * waited past the keep-alive commit, the same rate-limit error as the stream's only frame.
 */
function classify(res: RawResponse): { outcome: Outcome; detail: string } {
  const { status, text } = res;
  if (res.cut) return { outcome: 'other', detail: `${status} cut short: ${text.slice(-300)}` };
  if (status === 429) {
    const body = JSON.parse(text) as { error?: { code?: string } };
    const documented = res.headers['retry-after'] !== undefined && body.error?.code === 'rate_limit_exceeded';
    return { outcome: documented ? 'rate_limited' : 'other', detail: `429 ${text.slice(0, 200)}` };
  }
  if (status !== 200) return { outcome: 'other', detail: `${status} ${text.slice(0, 200)}` };
  let sse: ChatStream;
  try {
    sse = readChatStream(text);
  } catch (error) {
    return { outcome: 'other', detail: `200 ${(error as Error).message}` };
  }
  if (sse.done && sse.error === null && sse.content === REPLY && sse.finishReason === 'stop') {
    return { outcome: 'completed', detail: '' };
  }
  if (sse.error?.code === 'rate_limit_exceeded' && sse.content === '') {
    return { outcome: 'rate_limited_in_stream', detail: '' };
  }
  return { outcome: 'other', detail: `200 ${text.slice(-300)}` };
}
