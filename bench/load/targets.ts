import { Agent } from 'undici';
import type { TargetSpec } from '../common/messages';
import { ProbeClient } from '../probe/probe-client';
import { DirectClient, type SolvePow } from './direct-stream';
import { gatewayStream, type GatewayStreamOptions } from './gateway-stream';
import type { StreamHooks, StreamOutcome } from './stream-outcome';

/** A target the scenarios drive the same way, whatever it is. */
export interface TargetRunner {
  spec: TargetSpec;
  /** The probe of the gateway or the relay; absent for the direct client. */
  probe?: ProbeClient;
  /**
   * One streaming answer. The direct client uses the first token (it does its own account choice) and
   * ignores `options` (it sends no chat request).
   */
  stream(
    tokens: readonly string[],
    marker: string,
    hooks?: StreamHooks,
    options?: GatewayStreamOptions,
  ): Promise<StreamOutcome>;
  /**
   * Drops the idle keep-alive connections (after a warm-up): a server closes them after its keep-alive
   * timeout (5 s in Node), and reusing one just then fails with ECONNRESET, a client-side race that
   * would be counted against the target.
   */
  freshConnections(): Promise<void>;
  close(): Promise<void>;
}

/** Unlimited keep-alive connections, as many as there are concurrent streams. */
export function benchAgent(): Agent {
  return new Agent({ connections: null, pipelining: 1, keepAliveTimeout: 30_000, connect: { timeout: 30_000 } });
}

export function targetRunner(spec: TargetSpec, solvePow: SolvePow): TargetRunner {
  let agent = benchAgent();
  let direct = new DirectClient(agent, spec.baseUrl, solvePow);
  return {
    spec,
    probe: spec.kind !== 'direct' && spec.probeUrl ? new ProbeClient(spec.probeUrl) : undefined,
    stream: (tokens, marker, hooks, options) =>
      spec.kind === 'direct'
        ? direct.stream(tokens[0], marker, hooks)
        : gatewayStream(agent, spec.baseUrl, tokens, marker, hooks, options),
    async freshConnections() {
      const old = agent;
      agent = benchAgent();
      direct = new DirectClient(agent, spec.baseUrl, solvePow);
      await old.close();
    },
    close: () => agent.close(),
  };
}
