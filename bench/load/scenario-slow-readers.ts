import type { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';
import type { ScenarioOutcome } from '../common/messages';
import { benchTokens, type Pacing, type SlowReadersParams } from '../common/scenarios';
import { summarize } from '../common/stats';
import type { ProbeClient } from '../probe/probe-client';
import { gatewayStream } from './gateway-stream';
import { countErrors, describeTally, failureSamples, sleep, tallyErrors } from './launch';
import { type PhaseUsage, startPhase } from './phase-meter';
import { RowBuilder, type ScenarioContext } from './scenario-context';
import { type SocketQueues, socketQueues } from './socket-queues';
import { errorCode, type StreamOutcome } from './stream-outcome';
import { benchAgent, type TargetRunner } from './targets';
import { warmUp } from './warm-up';

const KB = 1024;

/** What the gateway holds after a full GC (the probe's trigger): garbage waiting for the collector is left out. */
interface HeldMemory {
  rss: number;
  /** heapUsed + external (Buffers and strings outside the heap live in `external`). */
  heapExternal: number;
}

interface MemoryReading extends HeldMemory {
  /** How long the probe's full GC before this reading blocked the gateway's event loop. */
  gcMs: number;
}

interface MemorySample extends MemoryReading {
  /** ms since the phase started. */
  t: number;
  open: number;
}

/** (a) Clients that read nothing for `holdMs`, then disconnect. */
interface UnreadPhase {
  chars: number;
  opened: number;
  errors: Record<string, number>;
  baseline: HeldMemory;
  /** Medians of the samples taken in the second half of the hold. */
  plateau: HeldMemory;
  samples: MemorySample[];
  /** Kernel queues at the end of the hold: gateway↔clients, and upstream↔gateway. */
  downstream: SocketQueues | null;
  upstream: SocketQueues | null;
  cuts: number | null;
  usage: PhaseUsage;
}

/** (b) Clients that read `readBytesPerSecond` each, to the end of the answer. */
interface SlowPhase {
  chars: number;
  outcomes: StreamOutcome[];
  completed: number;
  errors: Record<string, number>;
  baseline: HeldMemory;
  /** The largest sample of each figure during the run. */
  peak: HeldMemory;
  /** Medians of the samples taken while every stream was open and reading. */
  steady: HeldMemory;
  samples: MemorySample[];
  cuts: number | null;
  usage: PhaseUsage;
  failures: ReturnType<typeof failureSamples>;
}

interface SlowReadersResult {
  unread: UnreadPhase[];
  slow: SlowPhase[];
}

/**
 * Scenario 5: long answers (written by the fake as fast as the gateway reads them) to clients that (a) read
 * nothing for a few seconds, then disconnect, and (b) read slowly to the end. For each behaviour and answer
 * length: the gateway's memory per stream (RSS and heap + external, growth over idle ÷ streams, after a
 * full GC), what sat in kernel socket queues instead, streams completed and cut, event-loop delay. The
 * gateway only: a direct client holds its upstream streams itself, there is nothing between to measure.
 */
export async function runSlowReaders(ctx: ScenarioContext, params: SlowReadersParams): Promise<ScenarioOutcome> {
  const { fake, runners, job } = ctx;
  const tokens = benchTokens(params.accounts);
  const measured = runners.filter((r) => r.spec.kind === 'gateway' && r.probe);
  const notMeasured = runners.filter((r) => !measured.includes(r)).map((r) => r.spec.label);
  const pacing = (frames: number): Pacing => ({ ...params, frames });
  const fakePort = Number(new URL(job.fakeUrl).port);

  const results = new Map<string, SlowReadersResult>();
  for (const runner of measured) {
    await fake.prepare(params.accounts, pacing(params.answerFrames[0]), true);
    await warmUp(runner, fake, pacing(params.answerFrames[0]), tokens, Math.min(params.streams, 50));
    const result: SlowReadersResult = { unread: [], slow: [] };
    for (const frames of params.answerFrames) {
      // A fresh fake per phase: the messages of the last one (and their answers) are forgotten.
      await fake.prepare(params.accounts, pacing(frames), true);
      ctx.log(`scenario 5: ${runner.spec.label}: (a) ${params.streams} clients read nothing, ${size(frames, params)}`);
      result.unread.push(await holdUnread(runner, params, frames, tokens, job.fakePid, fakePort));
    }
    for (const frames of params.answerFrames) {
      await fake.prepare(params.accounts, pacing(frames), true);
      ctx.log(
        `scenario 5: ${runner.spec.label}: (b) ${params.streams} clients read ${params.readBytesPerSecond / KB} KB/s, ` +
          size(frames, params),
      );
      result.slow.push(await readSlowly(runner, params, frames, tokens, job.fakePid));
    }
    results.set(runner.spec.label, result);
  }
  return { rows: tableRows(results, params), details: details(results), notes: notes(results), notMeasured };
}

async function holdUnread(
  runner: TargetRunner,
  params: SlowReadersParams,
  frames: number,
  tokens: readonly string[],
  fakePid: number,
  fakePort: number,
): Promise<UnreadPhase> {
  const probe = probeOf(runner);
  const gatewayPort = Number(new URL(runner.spec.baseUrl).port);
  const agent = benchAgent();
  const baseline = await idleMemory(probe);
  const cutsBefore = await writeTimeouts(runner.spec.baseUrl);
  const phase = await startPhase(runner, fakePid);
  const startedAt = performance.now();
  const heads = await Promise.all(
    Array.from({ length: params.streams }, (_, i) =>
      openUnread(agent, runner.spec.baseUrl, tokens[i % tokens.length], `s5a:${runner.spec.label}:${frames}:${i}`),
    ),
  );
  const bodies = heads.flatMap((h) => (h.body ? [h.body] : []));
  const errors: Record<string, number> = {};
  for (const head of heads) if (head.error) errors[head.error] = (errors[head.error] ?? 0) + 1;

  const samples: MemorySample[] = [];
  const holdFrom = performance.now();
  while (performance.now() - holdFrom < params.holdMs) {
    await sleep(params.sampleEveryMs);
    samples.push({ t: Math.round(performance.now() - startedAt), open: bodies.length, ...(await heldMemory(probe)) });
  }
  const [downstream, upstream] = await Promise.all([socketQueues(gatewayPort), socketQueues(fakePort)]);
  const cutsAfter = await writeTimeouts(runner.spec.baseUrl);
  for (const body of bodies) body.destroy();
  await sleep(1000); // the gateway stops the upstream generations and releases the accounts
  const usage = await phase.finish();
  await agent.destroy();
  const settled = samples.filter((s) => s.t - (holdFrom - startedAt) >= params.holdMs / 2);
  return {
    chars: frames * params.charsPerFrame,
    opened: bodies.length,
    errors,
    baseline,
    plateau: medians(settled.length > 0 ? settled : samples, baseline),
    samples,
    downstream,
    upstream,
    cuts: cutsBefore === null || cutsAfter === null ? null : cutsAfter - cutsBefore,
    usage,
  };
}

async function readSlowly(
  runner: TargetRunner,
  params: SlowReadersParams,
  frames: number,
  tokens: readonly string[],
  fakePid: number,
): Promise<SlowPhase> {
  const probe = probeOf(runner);
  const agent = benchAgent();
  const baseline = await idleMemory(probe);
  const cutsBefore = await writeTimeouts(runner.spec.baseUrl);
  const phase = await startPhase(runner, fakePid);
  const startedAt = performance.now();
  let open = 0;
  const samples: MemorySample[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sleep(params.sampleEveryMs);
      samples.push({ t: Math.round(performance.now() - startedAt), open, ...(await heldMemory(probe)) });
    }
  })();
  const hooks = { onOpen: () => void open++, onClose: () => void open-- };
  const outcomes = await Promise.all(
    Array.from({ length: params.streams }, (_, i) =>
      gatewayStream(
        agent,
        runner.spec.baseUrl,
        [tokens[i % tokens.length]],
        `s5b:${runner.spec.label}:${frames}:${i}`,
        hooks,
        {
          readBytesPerSecond: params.readBytesPerSecond,
        },
      ),
    ),
  );
  sampling = false;
  await sampler;
  await sleep(100);
  const usage = await phase.finish();
  const cutsAfter = await writeTimeouts(runner.spec.baseUrl);
  await agent.destroy();
  const loaded = samples.filter((s) => s.open > 0);
  return {
    chars: frames * params.charsPerFrame,
    outcomes,
    completed: outcomes.filter((o) => o.ok && o.frames >= frames).length,
    errors: tallyErrors(outcomes, frames),
    baseline,
    peak: {
      rss: Math.max(baseline.rss, ...loaded.map((s) => s.rss)),
      heapExternal: Math.max(baseline.heapExternal, ...loaded.map((s) => s.heapExternal)),
    },
    steady: medians(
      samples.filter((s) => s.open === params.streams),
      baseline,
    ),
    samples,
    cuts: cutsBefore === null || cutsAfter === null ? null : cutsAfter - cutsBefore,
    usage,
    failures: failureSamples(outcomes, startedAt),
  };
}

/** Sends the request and returns once the response head is there, without reading a byte of the body. */
async function openUnread(
  dispatcher: Dispatcher,
  baseUrl: string,
  token: string,
  marker: string,
): Promise<{ body?: Readable; error?: string }> {
  try {
    const response = await request(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      dispatcher,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-bench-marker': marker },
      body: JSON.stringify({
        model: 'deepseek-chat',
        stream: true,
        messages: [{ role: 'user', content: `Tell me something long. [bench:${marker}]` }],
      }),
    });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return { error: `http_${response.statusCode}` };
    }
    // Destroyed by the client later; a gateway cut meanwhile must not crash the load process.
    response.body.on('error', () => undefined);
    return { body: response.body };
  } catch (error) {
    return { error: errorCode(error) };
  }
}

function probeOf(runner: TargetRunner): ProbeClient {
  if (!runner.probe) throw new Error(`${runner.spec.label} has no probe`);
  return runner.probe;
}

async function heldMemory(probe: ProbeClient): Promise<MemoryReading> {
  const gcMs = (await probe.collectGarbageTimed()) ?? NaN;
  const { rss, heapUsed, external } = await probe.snapshot();
  return { rss, heapExternal: heapUsed + external, gcMs };
}

const longestGc = (samples: readonly MemorySample[]): number => Math.max(...samples.map((s) => s.gcMs));

/** The idle value: two full GCs apart, so what the last phase left for the collector is gone. */
async function idleMemory(probe: ProbeClient): Promise<HeldMemory> {
  await probe.collectGarbage();
  await sleep(300);
  return heldMemory(probe);
}

function medians(samples: readonly MemorySample[], fallback: HeldMemory): HeldMemory {
  if (samples.length === 0) return fallback;
  return {
    rss: summarize(samples.map((s) => s.rss)).p50,
    heapExternal: summarize(samples.map((s) => s.heapExternal)).p50,
  };
}

/** The gateway's `deepseek_gateway_client_write_timeouts_total`; null when /metrics does not answer. */
async function writeTimeouts(baseUrl: string): Promise<number | null> {
  try {
    const response = await fetch(`${baseUrl}/metrics`, { headers: { connection: 'close' } });
    if (!response.ok) return null;
    const match = /^deepseek_gateway_client_write_timeouts_total(?:\{[^}]*\})?\s+(\S+)/m.exec(await response.text());
    return match ? Number(match[1]) : 0;
  } catch {
    return null;
  }
}

const perStream = (bytes: number, streams: number): number => (streams > 0 ? bytes / streams / KB : NaN);

const size = (frames: number, params: SlowReadersParams): string => sizeOf(frames * params.charsPerFrame);

function sizeOf(chars: number): string {
  return chars >= KB * KB ? `${chars / KB / KB} MiB` : `${chars / KB} KiB`;
}

/** long ÷ short of a per-stream figure; null when the short one is not clearly above zero (noise). */
function ratio(long: number, short: number): number | null {
  return Number.isFinite(long) && Number.isFinite(short) && short > 1 ? long / short : null;
}

/** The long ÷ short answer ratio of one per-stream memory figure: `held` picks the figure of a phase. */
function lengthRatio<P extends { baseline: HeldMemory }>(
  phases: readonly P[],
  held: (phase: P) => HeldMemory,
  key: keyof HeldMemory,
  streams: (phase: P) => number,
): number | null {
  const [short, long] = phases.map((phase) => perStream(held(phase)[key] - phase.baseline[key], streams(phase)));
  return ratio(long, short);
}

function tableRows(results: ReadonlyMap<string, SlowReadersResult>, params: SlowReadersParams) {
  const rows = new RowBuilder(results);
  const [short, long] = params.answerFrames.map((frames) => sizeOf(frames * params.charsPerFrame));
  const n = params.streams;
  const kbps = params.readBytesPerSecond / KB;
  params.answerFrames.forEach((_, i) => {
    const a = (r: SlowReadersResult): UnreadPhase => r.unread[i];
    const L = i === 0 ? short : long;
    const k = `s5.a${i + 1}`;
    rows
      .add(`${k}.open`, `(a) ${L}, read nothing: streams open (of ${n})`, 'count', (r) => a(r).opened, { decimals: 0 })
      .add(`${k}.rss`, `(a) ${L}: RSS growth per stream (plateau)`, 'KB', (r) =>
        perStream(a(r).plateau.rss - a(r).baseline.rss, a(r).opened),
      )
      .add(`${k}.heap`, `(a) ${L}: heap+external growth per stream`, 'KB', (r) =>
        perStream(a(r).plateau.heapExternal - a(r).baseline.heapExternal, a(r).opened),
      )
      .add(`${k}.kernelDown`, `(a) ${L}: kernel queues gateway→client per stream`, 'KB', (r) =>
        a(r).downstream ? perStream(a(r).downstream!.bytes, a(r).opened) : null,
      )
      .add(`${k}.kernelUp`, `(a) ${L}: kernel queues upstream→gateway per stream`, 'KB', (r) =>
        a(r).upstream ? perStream(a(r).upstream!.bytes, a(r).opened) : null,
      )
      .add(
        `${k}.upBusy`,
        `(a) ${L}: upstream answers held back (bytes queued)`,
        'count',
        (r) => a(r).upstream?.busy ?? null,
        {
          decimals: 0,
        },
      )
      .add(`${k}.gcMax`, `(a) ${L}: longest sampling GC (in the delay)`, 'ms', (r) => longestGc(a(r).samples))
      .add(`${k}.cuts`, `(a) ${L}: cut by CLIENT_WRITE_TIMEOUT_MS`, 'count', (r) => a(r).cuts, { decimals: 0 })
      .add(
        `${k}.eldP99`,
        `(a) ${L}: gateway event-loop delay p99`,
        'ms',
        (r) => a(r).usage.gatewayEventLoopDelay?.p99 ?? null,
        {
          decimals: 2,
        },
      );
  });
  rows
    .add(
      's5.a.rssRatio',
      `(a) RSS per stream, ${long} ÷ ${short}`,
      '×',
      (r) =>
        lengthRatio(
          r.unread,
          (p) => p.plateau,
          'rss',
          (p) => p.opened,
        ),
      { decimals: 2 },
    )
    .add(
      's5.a.heapRatio',
      `(a) heap+external per stream, ${long} ÷ ${short}`,
      '×',
      (r) =>
        lengthRatio(
          r.unread,
          (p) => p.plateau,
          'heapExternal',
          (p) => p.opened,
        ),
      { decimals: 2 },
    );
  params.answerFrames.forEach((_, i) => {
    const b = (r: SlowReadersResult): SlowPhase => r.slow[i];
    const L = i === 0 ? short : long;
    const k = `s5.b${i + 1}`;
    rows
      .add(
        `${k}.completed`,
        `(b) ${L}, read ${kbps} KB/s: streams completed (of ${n})`,
        'count',
        (r) => b(r).completed,
        {
          decimals: 0,
        },
      )
      .add(`${k}.cuts`, `(b) ${L}: cut by CLIENT_WRITE_TIMEOUT_MS`, 'count', (r) => b(r).cuts, { decimals: 0 })
      .add(`${k}.errors`, `(b) ${L}: failed or short streams`, 'count', (r) => countErrors(b(r).errors), {
        decimals: 0,
      })
      .add(`${k}.steadyRss`, `(b) ${L}: RSS growth per stream, all reading (median)`, 'KB', (r) =>
        perStream(b(r).steady.rss - b(r).baseline.rss, n),
      )
      .add(`${k}.steadyHeap`, `(b) ${L}: heap+external growth per stream (median)`, 'KB', (r) =>
        perStream(b(r).steady.heapExternal - b(r).baseline.heapExternal, n),
      )
      .add(`${k}.rss`, `(b) ${L}: peak RSS growth per stream`, 'KB', (r) =>
        perStream(b(r).peak.rss - b(r).baseline.rss, n),
      )
      .add(`${k}.heap`, `(b) ${L}: peak heap+external growth per stream`, 'KB', (r) =>
        perStream(b(r).peak.heapExternal - b(r).baseline.heapExternal, n),
      )
      .add(
        `${k}.bodyKB`,
        `(b) ${L}: SSE body per answer (mean)`,
        'KB',
        (r) => summarize(b(r).outcomes.map((o) => (o.bytes ?? 0) / KB)).mean,
        { decimals: 0 },
      )
      .add(
        `${k}.readS`,
        `(b) ${L}: time to read an answer (median)`,
        's',
        (r) =>
          summarize(
            b(r)
              .outcomes.filter((o) => o.ok)
              .map((o) => (o.endedAt - o.startedAt) / 1000),
          ).p50,
      )
      .add(`${k}.gcMax`, `(b) ${L}: longest sampling GC (in the delay)`, 'ms', (r) => longestGc(b(r).samples))
      .add(
        `${k}.eldP99`,
        `(b) ${L}: gateway event-loop delay p99`,
        'ms',
        (r) => b(r).usage.gatewayEventLoopDelay?.p99 ?? null,
        {
          decimals: 2,
        },
      );
  });
  rows
    .add(
      's5.b.steadyHeapRatio',
      `(b) heap+external per stream (median), ${long} ÷ ${short}`,
      '×',
      (r) =>
        lengthRatio(
          r.slow,
          (p) => p.steady,
          'heapExternal',
          () => n,
        ),
      { decimals: 2 },
    )
    .add(
      's5.b.rssRatio',
      `(b) peak RSS per stream, ${long} ÷ ${short}`,
      '×',
      (r) =>
        lengthRatio(
          r.slow,
          (p) => p.peak,
          'rss',
          () => n,
        ),
      { decimals: 2 },
    )
    .add(
      's5.b.heapRatio',
      `(b) peak heap+external per stream, ${long} ÷ ${short}`,
      '×',
      (r) =>
        lengthRatio(
          r.slow,
          (p) => p.peak,
          'heapExternal',
          () => n,
        ),
      { decimals: 2 },
    );
  return rows.rows;
}

function details(results: ReadonlyMap<string, SlowReadersResult>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [label, r] of results) {
    out[label] = {
      unread: r.unread.map(({ usage, ...rest }) => ({ ...rest, usage })),
      slow: r.slow.map(({ outcomes, ...rest }) => ({ ...rest, streams: outcomes.length })),
    };
  }
  return out;
}

function notes(results: ReadonlyMap<string, SlowReadersResult>): string[] {
  const out = [
    'direct: not measured. A direct client holds its upstream streams itself; there is no gateway between to hold memory.',
    'Memory: every sample follows a full GC (the probe), so it is what is held; growth over the idle value ÷ streams. ' +
      '(a) median of the samples in the second half of the hold, (b) the median of the samples while every stream reads, and the largest sample of the run.',
    'Kernel socket buffers are not in the gateway RSS. The kernel queue rows (ss, both ends of each loopback ' +
      'connection) show what sat there at the end of the hold; "upstream answers held back" = upstream connections ' +
      'with bytes still queued, i.e. answers the gateway had stopped reading.',
    'Event-loop delay includes the full GCs that the memory sampling triggers.',
  ];
  for (const [label, r] of results) {
    r.unread.forEach((p) => out.push(`${label} (a) ${sizeOf(p.chars)} errors: ${describeTally(p.errors)}`));
    r.slow.forEach((p) => out.push(`${label} (b) ${sizeOf(p.chars)} errors: ${describeTally(p.errors)}`));
  }
  return out;
}
