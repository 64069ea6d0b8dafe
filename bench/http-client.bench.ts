/**
 * Which HTTP client carries the upstream stream more cheaply: (a) undici `Agent.request`, set up as our
 * transport first was, (b) a bare `node:http` request on a keep-alive Agent, and (c) what we ship:
 * UpstreamTransport (node:http through UpstreamAgent, with its envelope checks and timeouts; it went through
 * @nestjs/axios for a while, see docs/decisions/0006). All three feed every byte to the same
 * UpstreamStreamParser, as the relay does (`--parse=false`: transport only).
 *
 * Three kinds of process: this one orchestrates; the fake upstream runs in its own child; every measured run
 * is a fresh child that runs one client, so the variants share no JIT or heap state and the CPU counted
 * (process.cpuUsage of that child) is the client's alone. Variants alternate within each trial.
 *
 *   npx ts-node --transpile-only bench/http-client.bench.ts [--trials=3] [--streams=200] [--frames=500]
 *       [--token-delay=10] [--burst-streams=100] [--burst-frames=4000] [--short-streams=2000] [--short-frames=10]
 *       [--scenarios=paced,burst,short] [--parse=false] [--variants=undici,node-http,transport]
 *
 * Scenarios: `paced` = many concurrent streams whose frames arrive one by one, `token-delay` ms apart (the
 * live shape: CPU per frame is what matters); `burst` = the fake writes whole answers at once (throughput);
 * `short` = many requests with tiny answers, unpaced (what one request costs: set-up, headers, the call itself).
 * Besides CPU, each client child reports its peak RSS (getrusage maxrss) at the end of its run.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { Agent as UndiciAgent } from 'undici';
import type { DeepSeekConfig } from '../src/config/deepseek.config';
import { UpstreamTransport } from '../src/deepseek/http/upstream-transport';
import { UpstreamStreamParser } from '../src/deepseek/stream/upstream-stream-parser';
import { startFakeDeepSeek } from '../test/fake-deepseek';

const TOKEN = 'tok-bench';
const CHARS_PER_FRAME = 4;
const WARMUP_STREAMS = 20;
const WARMUP_FRAMES = 100;
const ALL_VARIANTS = ['undici', 'node-http', 'transport'] as const;
type Variant = (typeof ALL_VARIANTS)[number];

const LABELS: Record<Variant, string> = {
  undici: '(a) undici Agent.request',
  'node-http': '(b) bare node:http, keep-alive Agent',
  transport: '(c) UpstreamTransport (what we ship)',
};

interface Scenario {
  name: 'paced' | 'burst' | 'short';
  streams: number;
  frames: number;
  tokenDelayMs: number;
}

interface RunResult {
  variant: Variant;
  frames: number;
  bytes: number;
  errors: number;
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  maxRssMiB: number;
}

const silent = { debug: () => undefined, warn: () => undefined };

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

// ---------------------------------------------------------------------------------------------- fake child

async function runFake(): Promise<void> {
  const fake = await startFakeDeepSeek({
    accounts: [TOKEN],
    verifyPow: false,
    allowConcurrentGenerations: true,
    keepGeneratingAfterDisconnect: false,
    charsPerFrame: CHARS_PER_FRAME,
    // `frames:<n>` as the prompt asks for an answer of exactly n token frames.
    replyFor: ({ prompt }) => ({ reasoning: '', content: 'abcd'.repeat(Number(prompt.split(':')[1]) || 1) }),
  });
  process.on('message', (message: { type: string; tokenDelayMs?: number }) => {
    if (message.type === 'setup') {
      fake.reset();
      fake.configure({ tokenDelayMs: message.tokenDelayMs ?? 0 });
      process.send?.({ type: 'ready' });
    } else if (message.type === 'cpu') {
      process.send?.({ type: 'cpu', usage: process.cpuUsage(), inFlight: fake.state().inFlight });
    } else if (message.type === 'stop') {
      void fake.close().then(() => process.exit(0));
    }
  });
  process.send?.({ type: 'listening', url: fake.url });
}

// -------------------------------------------------------------------------------------------- client child

type StreamOnce = (sessionId: string, frames: number, onChunk: (chunk: Buffer) => void) => Promise<void>;

interface Client {
  stream: StreamOnce;
  createSession: () => Promise<string>;
}

function completionBody(sessionId: string, frames: number): object {
  return {
    chat_session_id: sessionId,
    parent_message_id: null,
    model_type: 'default',
    prompt: `frames:${frames}`,
    ref_file_ids: [],
    thinking_enabled: false,
    search_enabled: false,
    preempt: false,
  };
}

const HEADERS = {
  'accept-language': 'en-US,en;q=0.9',
  'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/144.0.0.0',
  'x-client-platform': 'web',
  'x-client-version': '1.7.0',
  'x-client-locale': 'en_US',
  'x-app-version': '20241129.1',
};

/**
 * (a) undici `Agent.request`, set up as our transport was before this measurement: one keep-alive Agent with
 * headers and body (idle) timeouts, a signal per request, the body read through undici's Readable.
 */
function undiciClient(baseUrl: string): Client {
  const origin = new URL(baseUrl).origin;
  const agent = new UndiciAgent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    pipelining: 1,
    headersTimeout: 30_000,
    bodyTimeout: 120_000,
  });
  const post = async (path: string, accept: string, body: object, extra: Record<string, string> = {}) =>
    agent.request({
      origin,
      path: `/api/v0/${path}`,
      method: 'POST',
      headers: {
        ...HEADERS,
        origin,
        referer: `${origin}/`,
        ...extra,
        accept,
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      signal: new AbortController().signal,
    });
  return {
    createSession: async () => {
      const response = await post('chat_session/create', 'application/json', {});
      const answer = (await response.body.json()) as { data: { biz_data: { chat_session: { id: string } } } };
      return answer.data.biz_data.chat_session.id;
    },
    stream: async (sessionId, frames, onChunk) => {
      const { body } = await post('chat/completion', 'text/event-stream', completionBody(sessionId, frames), {
        'x-ds-pow-response': POW_PLACEHOLDER,
      });
      await new Promise<void>((done, fail) => {
        body.on('data', onChunk);
        body.on('end', done);
        body.on('error', fail);
      });
    },
  };
}

/**
 * (b) `node:http` with nothing on top: one keep-alive Agent, a signal per request, a headers timer, an idle
 * timeout once the answer starts.
 */
function nodeHttpClient(baseUrl: string): Client {
  const base = new URL(baseUrl);
  const origin = base.origin;
  const agent = new HttpAgent({ keepAlive: true });
  const post = (path: string, accept: string, body: object, extra: Record<string, string> = {}) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = httpRequest(base, {
        agent,
        method: 'POST',
        path: `/api/v0/${path}`,
        signal: new AbortController().signal,
        headers: {
          ...HEADERS,
          origin,
          referer: `${origin}/`,
          ...extra,
          accept,
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
        },
      });
      const headersTimer = setTimeout(() => req.destroy(new Error('headers timeout')), 30_000);
      req.on('error', (error) => {
        clearTimeout(headersTimer);
        reject(error);
      });
      req.on('response', (response) => {
        clearTimeout(headersTimer);
        req.setTimeout(120_000, () => response.destroy(new Error('idle timeout')));
        resolve(response);
      });
      req.end(payload);
    });
  const readJson = (response: IncomingMessage) =>
    new Promise<unknown>((resolve, reject) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      response.on('error', reject);
    });
  return {
    createSession: async () => {
      const answer = (await readJson(await post('chat_session/create', 'application/json', {}))) as {
        data: { biz_data: { chat_session: { id: string } } };
      };
      return answer.data.biz_data.chat_session.id;
    },
    stream: async (sessionId, frames, onChunk) => {
      const body = await post('chat/completion', 'text/event-stream', completionBody(sessionId, frames), {
        'x-ds-pow-response': POW_PLACEHOLDER,
      });
      await new Promise<void>((done, fail) => {
        body.on('data', onChunk);
        body.on('end', done);
        body.on('error', fail);
      });
    },
  };
}

/** (c) What we ship: UpstreamTransport. */
function transportClient(baseUrl: string): Client {
  const config: DeepSeekConfig = {
    baseUrl,
    userAgent: HEADERS['user-agent'],
    clientVersion: HEADERS['x-client-version'],
    appVersion: HEADERS['x-app-version'],
    clientLocale: HEADERS['x-client-locale'],
    clientTimezoneOffset: 0,
    upstreamTimeoutMs: 120_000,
    firstByteTimeoutMs: 30_000,
    maxContinueRounds: 8,
    closeGraceMs: 10_000,
    powWorkers: 1,
  };
  const transport = new UpstreamTransport(config);
  return {
    createSession: async () => {
      const data = (await transport.json('chat_session/create', TOKEN, {})) as { chat_session: { id: string } };
      return data.chat_session.id;
    },
    stream: async (sessionId, frames, onChunk) => {
      const { body } = await transport.stream(
        'chat/completion',
        TOKEN,
        completionBody(sessionId, frames),
        { 'x-ds-pow-response': POW_PLACEHOLDER },
        new AbortController().signal,
      );
      await new Promise<void>((done, fail) => {
        body.on('data', onChunk);
        body.on('end', done);
        body.on('error', fail);
      });
    },
  };
}

/** The fake runs with verifyPow off; the header still travels so that both variants send the same bytes. */
const POW_PLACEHOLDER = Buffer.from('{"algorithm":"DeepSeekHashV1","answer":0}'.padEnd(300, ' ')).toString('base64');

async function runClient(): Promise<void> {
  const variant = option('variant', 'undici') as Variant;
  const url = option('url', '');
  const streams = Number(option('streams', '200'));
  const frames = Number(option('frames', '500'));
  const parse = option('parse', 'true') === 'true';
  const client =
    variant === 'undici' ? undiciClient(url) : variant === 'node-http' ? nodeHttpClient(url) : transportClient(url);
  const sessionId = await client.createSession();

  let contentEvents = 0;
  let bytes = 0;
  let errors = 0;
  const runStreams = (count: number, framesEach: number) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const parser = new UpstreamStreamParser(
          (event) => {
            if (event.type === 'content') contentEvents++;
          },
          { logger: silent },
        );
        try {
          let last: Buffer = Buffer.alloc(0);
          await client.stream(sessionId, framesEach, (chunk: Buffer) => {
            bytes += chunk.length;
            if (parse) parser.write(chunk);
            else last = chunk;
          });
          parser.end();
          // Transport only: the frames count as delivered when the body ends with the `close` event.
          if (!parse) contentEvents += last.includes('event: close') ? framesEach : 0;
        } catch {
          errors++;
        }
      }),
    );

  await runStreams(WARMUP_STREAMS, WARMUP_FRAMES);
  contentEvents = 0;
  bytes = 0;
  errors = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await runStreams(streams, frames);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const result: RunResult = {
    variant,
    frames: contentEvents,
    bytes,
    errors,
    wallMs,
    cpuUserMs: used.user / 1000,
    cpuSystemMs: used.system / 1000,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.send?.({ type: 'result', result });
  process.exit(0);
}

// ------------------------------------------------------------------------------------------- orchestrator

function forkSelf(role: string, args: string[] = []): ChildProcess {
  return fork(__filename, [`--role=${role}`, ...args], {
    execArgv: ['-r', require.resolve('ts-node/register/transpile-only')],
    env: { ...process.env, TS_NODE_PROJECT: resolve(__dirname, '..', 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((done, fail) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      done(message as T);
    };
    const onExit = (code: number | null) => fail(new Error(`child exited (${code}) before sending "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

interface Summary {
  scenario: Scenario['name'];
  variant: Variant;
  streams: number;
  framesPerStream: number;
  tokenDelayMs: number;
  trials: number;
  cpuMsPer1000Frames: number;
  cpuMsPer1000FramesMin: number;
  cpuMsPer1000FramesMax: number;
  framesPerSecond: number;
  mibPerSecond: number;
  wallMs: number;
  errors: number;
  fakeCpuPercent: number;
  maxRssMiB: number;
}

async function orchestrate(): Promise<void> {
  const trials = Number(option('trials', '3'));
  const scenarios: Scenario[] = [
    {
      name: 'paced' as const,
      streams: Number(option('streams', '200')),
      frames: Number(option('frames', '500')),
      tokenDelayMs: Number(option('token-delay', '10')),
    },
    {
      name: 'burst' as const,
      streams: Number(option('burst-streams', '100')),
      frames: Number(option('burst-frames', '4000')),
      tokenDelayMs: 0,
    },
    {
      name: 'short' as const,
      streams: Number(option('short-streams', '2000')),
      frames: Number(option('short-frames', '10')),
      tokenDelayMs: 0,
    },
  ].filter((s) => option('scenarios', 'paced,burst,short').split(',').includes(s.name));

  const variants = option('variants', ALL_VARIANTS.join(','))
    .split(',')
    .map((name) => {
      if (!(ALL_VARIANTS as readonly string[]).includes(name)) throw new Error(`unknown variant ${name}`);
      return name as Variant;
    });

  const fake = forkSelf('fake');
  const { url } = await nextMessage<{ url: string }>(fake, 'listening');
  const summaries: Summary[] = [];
  try {
    for (const scenario of scenarios) {
      const runs = new Map<Variant, (RunResult & { fakeCpuMs: number })[]>(variants.map((v) => [v, []]));
      for (let trial = 0; trial < trials; trial++) {
        // Each variant takes each place in the order in turn, so none always runs first (cold) or last.
        const order = variants.map((_, i) => variants[(i + trial) % variants.length]);

        for (const variant of order) {
          fake.send({ type: 'setup', tokenDelayMs: scenario.tokenDelayMs });
          await nextMessage(fake, 'ready');
          fake.send({ type: 'cpu' });
          const before = await nextMessage<{ usage: NodeJS.CpuUsage }>(fake, 'cpu');
          const client = forkSelf('client', [
            `--variant=${variant}`,
            `--url=${url}`,
            `--streams=${scenario.streams}`,
            `--frames=${scenario.frames}`,
            `--parse=${option('parse', 'true')}`,
          ]);
          const { result } = await nextMessage<{ result: RunResult }>(client, 'result');
          fake.send({ type: 'cpu' });
          const after = await nextMessage<{ usage: NodeJS.CpuUsage }>(fake, 'cpu');
          const fakeCpuMs = (after.usage.user - before.usage.user + after.usage.system - before.usage.system) / 1000;
          runs.get(variant)?.push({ ...result, fakeCpuMs });
          process.stderr.write(
            `${scenario.name} trial ${trial + 1}/${trials} ${variant}: ${result.frames} frames, ` +
              `${(result.cpuUserMs + result.cpuSystemMs).toFixed(0)} ms CPU, ${result.wallMs.toFixed(0)} ms wall\n`,
          );
        }
      }
      for (const variant of variants) summaries.push(summarize(scenario, variant, runs.get(variant) ?? []));
    }
  } finally {
    fake.send({ type: 'stop' });
  }
  report(summaries);
}

function summarize(scenario: Scenario, variant: Variant, runs: (RunResult & { fakeCpuMs: number })[]): Summary {
  const perThousand = runs.map((r) => ((r.cpuUserMs + r.cpuSystemMs) / Math.max(1, r.frames)) * 1000);
  return {
    scenario: scenario.name,
    variant,
    streams: scenario.streams,
    framesPerStream: scenario.frames,
    tokenDelayMs: scenario.tokenDelayMs,
    trials: runs.length,
    cpuMsPer1000Frames: median(perThousand),
    cpuMsPer1000FramesMin: Math.min(...perThousand),
    cpuMsPer1000FramesMax: Math.max(...perThousand),
    framesPerSecond: median(runs.map((r) => r.frames / (r.wallMs / 1000))),
    mibPerSecond: median(runs.map((r) => r.bytes / 1048576 / (r.wallMs / 1000))),
    wallMs: median(runs.map((r) => r.wallMs)),
    errors: runs.reduce((sum, r) => sum + r.errors + (r.frames === scenario.streams * scenario.frames ? 0 : 1), 0),
    fakeCpuPercent: median(runs.map((r) => (r.fakeCpuMs / r.wallMs) * 100)),
    maxRssMiB: median(runs.map((r) => r.maxRssMiB)),
  };
}

function report(summaries: Summary[]): void {
  const rows = summaries.map((s) => [
    s.scenario,
    LABELS[s.variant],
    `${s.streams}×${s.framesPerStream}${s.tokenDelayMs ? ` @${s.tokenDelayMs}ms` : ''}`,
    `${s.cpuMsPer1000Frames.toFixed(2)} (${s.cpuMsPer1000FramesMin.toFixed(2)}–${s.cpuMsPer1000FramesMax.toFixed(2)})`,
    // Whole requests, frames included: the `short` rows make it mostly the cost of a request.
    ((s.cpuMsPer1000Frames * s.framesPerStream) / 1000).toFixed(3),
    s.framesPerSecond.toFixed(0),
    s.mibPerSecond.toFixed(2),
    (s.wallMs / 1000).toFixed(2),
    `${s.fakeCpuPercent.toFixed(0)}%`,
    s.maxRssMiB.toFixed(0),
    String(s.errors),
  ]);
  const header = [
    'scenario',
    'client',
    'streams×frames',
    'CPU ms / 1000 frames (min–max)',
    'CPU ms / request',
    'frames/s',
    'MiB/s',
    'wall s',
    'fake CPU',
    'peak RSS MiB',
    'errors',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  for (const scenario of new Set(summaries.map((s) => s.scenario))) {
    const of = (variant: Variant) => summaries.find((s) => s.scenario === scenario && s.variant === variant);
    const bare = of('node-http');
    for (const variant of ['undici', 'transport'] as const) {
      const other = of(variant);
      if (!bare || !other) continue;
      out.push(
        `${scenario}: ${variant} ÷ bare node:http, CPU per frame ×${(other.cpuMsPer1000Frames / bare.cpuMsPer1000Frames).toFixed(2)}, ` +
          `peak RSS ×${(other.maxRssMiB / bare.maxRssMiB).toFixed(2)}`,
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(`${JSON.stringify({ bench: 'http-client', node: process.version, results: summaries })}\n`);
}

const role = option('role', 'orchestrator');
const main = role === 'fake' ? runFake : role === 'client' ? runClient : orchestrate;
main().catch((error: unknown) => {
  process.stderr.write(`http-client bench (${role}) failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
