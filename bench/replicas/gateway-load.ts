import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { processCpuMs } from '../common/proc-stat';
import type { Pacing } from '../common/scenarios';
import { summarize, type Summary } from '../common/stats';
import type { RunningGateway } from '../harness/processes';
import type { FakeControl } from '../load/fake-control';
import { gatewayStream } from '../load/gateway-stream';
import { sleep, tallyErrors } from '../load/launch';
import type { StreamOutcome } from '../load/stream-outcome';
import { cpuBetween, ProbeClient } from '../probe/probe-client';
import type { ProbeSnapshot } from '../probe/probe-types';
import type { RedisCommandCounter } from './redis-server';

/** A gateway process and an undici agent of its own (its connections are not shared with another target). */
export interface Target {
  gateway: RunningGateway;
  agent: Agent;
  probe: ProbeClient;
}

export function target(gateway: RunningGateway): Target {
  return { gateway, agent: new Agent({ connections: 256, pipelining: 0 }), probe: new ProbeClient(gateway.probeUrl) };
}

export interface TtfbParams extends Pacing {
  samples: number;
  warmup: number;
}

export interface TtfbResult {
  outcomes: StreamOutcome[];
  /** Request sent → first content token, ms, successful samples. */
  ttfb: Summary;
  /** Request sent → response head, ms. */
  head: Summary;
  /** Sample i of this target − sample i of the first target (same round), ms. */
  pairedDifference: Summary | null;
  errors: Record<string, number>;
  /** The gateway's CPU (all threads) over the measured samples ÷ samples, ms. */
  cpuPerRequestMs: number;
}

/**
 * One request at a time, the targets taking turns (which goes first alternates per round), all on the same
 * fake upstream and accounts.
 */
export async function measureTtfb(
  targets: readonly { label: string; target: Target }[],
  fake: FakeControl,
  tokens: readonly string[],
  params: TtfbParams,
): Promise<Map<string, TtfbResult>> {
  await fake.prepare(tokens.length, params, false);
  for (let w = 0; w < params.warmup; w++) {
    for (const { label, target: t } of targets) {
      await gatewayStream(t.agent, t.gateway.url, tokens, `ttfb:warm:${label}:${w}`);
    }
  }
  const outcomes = new Map<string, StreamOutcome[]>(targets.map(({ label }) => [label, []]));
  const cpuBefore = await Promise.all(targets.map(({ target: t }) => t.probe.snapshot()));
  for (let i = 0; i < params.samples; i++) {
    const order = i % 2 === 0 ? targets : [...targets].reverse();
    for (const { label, target: t } of order) {
      outcomes.get(label)!.push(await gatewayStream(t.agent, t.gateway.url, tokens, `ttfb:${label}:${i}`));
      await sleep(10);
    }
  }
  const cpuAfter = await Promise.all(targets.map(({ target: t }) => t.probe.snapshot()));
  const cpuOf = new Map(targets.map(({ label }, i) => [label, cpuBetween(cpuBefore[i], cpuAfter[i])]));
  const ttfbOf = (o: StreamOutcome): number | null =>
    o.ok && o.firstTokenAt !== null ? o.firstTokenAt - o.startedAt : null;
  const first = outcomes.get(targets[0].label)!;
  const results = new Map<string, TtfbResult>();
  for (const [label, list] of outcomes) {
    const ok = list.filter((o) => ttfbOf(o) !== null);
    const pairs = list.flatMap((o, i) => {
      const [a, b] = [ttfbOf(o), ttfbOf(first[i])];
      return a === null || b === null ? [] : [a - b];
    });
    results.set(label, {
      outcomes: list,
      ttfb: summarize(ok.map((o) => ttfbOf(o)!)),
      head: summarize(ok.map((o) => o.headersAt! - o.startedAt)),
      pairedDifference: label === targets[0].label ? null : summarize(pairs),
      errors: tallyErrors(list),
      cpuPerRequestMs: cpuOf.get(label)! / list.length,
    });
  }
  return results;
}

export interface ThroughputParams extends Pacing {
  /** Concurrent clients, each sending one request after another, spread round-robin over the gateways. */
  clients: number;
  /** Requests that end in this window (after `settleMs`) count. */
  durationMs: number;
  settleMs: number;
}

/** What one phase (one configuration, one round) measured. */
export interface ThroughputPhase {
  windowMs: number;
  /** Requests that ended in the window, successfully. */
  completed: number;
  /** Requests that ended in the window with an error. */
  errors: Record<string, number>;
  /** Sent → last byte (ms), requests that completed in the window. */
  latencies: number[];
  /** Sent → first content token (ms). */
  firstTokens: number[];
  /** CPU ms over the whole phase (settle and drain included) and its wall time. */
  cpu: { gateways: number; fake: number | null; redis: number | null; load: number; wallMs: number };
  /** Redis commands the phase caused, by command (null without Redis). */
  redisCalls: Record<string, number> | null;
  /** Busy share of the whole machine over the phase (every process, others' too), 0–1. */
  machineBusy: number | null;
  /** The fake's own view: the most generations one account ever ran at once, and busy refusals. */
  maxPerAccount: number;
  busyRefusals: number;
  generations: number;
}

/**
 * A closed loop: `clients` clients, client i on gateway i mod n, each sending its next request as soon as the
 * last one ended, every request offering all `tokens` (pass-through). Counts the requests that end in
 * [settle, settle + duration], then waits for the rest.
 */
export async function measureThroughput(
  targets: readonly Target[],
  fake: FakeControl,
  tokens: readonly string[],
  params: ThroughputParams,
  pids: { fake: number; redis: number | null },
  label: string,
  redisCounter: RedisCommandCounter | null,
): Promise<ThroughputPhase> {
  await fake.prepare(tokens.length, params, false);
  const callsBefore = redisCounter ? await redisCounter.read() : null;
  const before = await snapshot(targets, pids);
  const started = performance.now();
  const windowStart = started + params.settleMs;
  const windowEnd = windowStart + params.durationMs;
  const inWindow: StreamOutcome[] = [];
  let sent = 0;
  const client = async (index: number): Promise<void> => {
    const t = targets[index % targets.length];
    while (performance.now() < windowEnd) {
      const outcome = await gatewayStream(t.agent, t.gateway.url, tokens, `tp:${label}:${sent++}`);
      if (outcome.endedAt >= windowStart && outcome.endedAt <= windowEnd) inWindow.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: params.clients }, (_, i) => client(i)));
  const after = await snapshot(targets, pids);
  const callsAfter = redisCounter ? await redisCounter.read() : null;
  const state = await fake.state();
  const accounts = Object.values(state.accounts);
  const ok = inWindow.filter((o) => o.ok && o.frames >= params.frames);
  const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);
  return {
    windowMs: params.durationMs,
    completed: ok.length,
    errors: tallyErrors(inWindow, params.frames),
    latencies: ok.map((o) => o.endedAt - o.startedAt),
    firstTokens: ok.map((o) => o.firstTokenAt! - o.startedAt),
    cpu: {
      gateways: after.gateways.reduce((sum, s, i) => sum + cpuBetween(before.gateways[i], s), 0),
      fake: diff(before.fake, after.fake),
      redis: diff(before.redis, after.redis),
      load: after.load - before.load,
      wallMs: after.at - before.at,
    },
    redisCalls: callsBefore && callsAfter ? callsBetween(callsBefore, callsAfter) : null,
    machineBusy: busyShare(before.machine, after.machine),
    maxPerAccount: Math.max(0, ...accounts.map((a) => a.maxInFlight)),
    busyRefusals: accounts.reduce((sum, a) => sum + a.busyRefusals, 0),
    generations: accounts.reduce((sum, a) => sum + a.generations, 0),
  };
}

function callsBetween(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [command, n] of Object.entries(after)) {
    if (n - (before[command] ?? 0) > 0) calls[command] = n - (before[command] ?? 0);
  }
  return calls;
}

interface Snapshot {
  at: number;
  gateways: ProbeSnapshot[];
  fake: number | null;
  redis: number | null;
  load: number;
  machine: MachineTicks | null;
}

async function snapshot(targets: readonly Target[], pids: { fake: number; redis: number | null }): Promise<Snapshot> {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    gateways: await Promise.all(targets.map((t) => t.probe.snapshot())),
    fake: processCpuMs(pids.fake),
    redis: pids.redis === null ? null : processCpuMs(pids.redis),
    load: (usage.user + usage.system) / 1000,
    machine: machineTicks(),
  };
}

interface MachineTicks {
  busy: number;
  total: number;
}

/** The first line of /proc/stat: every CPU's ticks since boot, busy and in all. */
function machineTicks(): MachineTicks | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = fields[3] + fields[4];
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function busyShare(before: MachineTicks | null, after: MachineTicks | null): number | null {
  if (before === null || after === null || after.total === before.total) return null;
  return (after.busy - before.busy) / (after.total - before.total);
}

/** Concurrent short answers on every target, so each has validated the accounts and JIT-compiled its paths. */
export async function warmUpTargets(
  targets: readonly Target[],
  fake: FakeControl,
  tokens: readonly string[],
  requests: number,
): Promise<void> {
  await fake.prepare(tokens.length, { frames: 4, frameIntervalMs: 0, charsPerFrame: 4, difficulty: 1000 }, false);
  for (const t of targets) {
    await Promise.all(
      Array.from({ length: requests }, (_, i) => gatewayStream(t.agent, t.gateway.url, tokens, `warm:${i}`)),
    );
  }
}
