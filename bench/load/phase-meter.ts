import { monitorEventLoopDelay } from 'node:perf_hooks';
import { processCpuMs } from '../common/proc-stat';
import { cpuBetween } from '../probe/probe-client';
import type { EventLoopDelaySummary, ProbeSnapshot } from '../probe/probe-types';
import type { TargetRunner } from './targets';

/** The load process's own event loop, always watched; reset at the start of every phase. */
const OWN_RESOLUTION_MS = 10;
const ownDelay = monitorEventLoopDelay({ resolution: OWN_RESOLUTION_MS });
ownDelay.enable();

/** Resources used during one measured phase, by every process involved. */
export interface PhaseUsage {
  wallMs: number;
  /** The load process (for the direct target: the direct client itself), all threads. */
  loadCpuMs: number;
  loadEventLoopDelayP99Ms: number;
  /** The gateway (probe), when the target is one. */
  gatewayCpuMs: number | null;
  gatewayEventLoopDelay: EventLoopDelaySummary | null;
  gatewayBefore: ProbeSnapshot | null;
  gatewayAfter: ProbeSnapshot | null;
  /** The fake upstream (/proc). */
  fakeCpuMs: number | null;
  /** The largest RSS of the probed process (gateway or relay) over the phase, sampled every second. */
  peakRssBytes: number | null;
}

const RSS_SAMPLE_MS = 1000;

/** Takes the "before" figures; `finish()` takes the "after" ones. */
export async function startPhase(target: TargetRunner, fakePid: number): Promise<{ finish(): Promise<PhaseUsage> }> {
  const probe = target.probe;
  if (probe) await probe.resetEventLoopDelay();
  const gatewayBefore = probe ? await probe.snapshot() : null;
  let peakRssBytes = gatewayBefore?.rss ?? null;
  const sampleRss = (rss: number): void => void (peakRssBytes = Math.max(peakRssBytes ?? 0, rss));
  const sampler = probe
    ? setInterval(
        () =>
          void probe.snapshot().then(
            (s) => sampleRss(s.rss),
            () => undefined,
          ),
        RSS_SAMPLE_MS,
      )
    : null;
  ownDelay.reset();
  const fakeBefore = processCpuMs(fakePid);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  return {
    async finish(): Promise<PhaseUsage> {
      const wallMs = performance.now() - startedAt;
      if (sampler) clearInterval(sampler);
      const cpu = process.cpuUsage(cpuBefore);
      const fakeAfter = processCpuMs(fakePid);
      // Delay beyond the sampling interval, as the gateway probe reports it (probe-types.ts).
      const loadEventLoopDelayP99Ms =
        ownDelay.count > 0 ? Math.max(0, ownDelay.percentile(99) / 1e6 - OWN_RESOLUTION_MS) : 0;
      const gatewayAfter = probe ? await probe.snapshot() : null;
      if (gatewayAfter) sampleRss(gatewayAfter.rss);
      return {
        wallMs,
        loadCpuMs: (cpu.user + cpu.system) / 1000,
        loadEventLoopDelayP99Ms,
        gatewayCpuMs: gatewayBefore && gatewayAfter ? cpuBetween(gatewayBefore, gatewayAfter) : null,
        gatewayEventLoopDelay: gatewayAfter?.eventLoopDelay ?? null,
        gatewayBefore,
        gatewayAfter,
        fakeCpuMs: fakeBefore !== null && fakeAfter !== null ? fakeAfter - fakeBefore : null,
        peakRssBytes,
      };
    },
  };
}
