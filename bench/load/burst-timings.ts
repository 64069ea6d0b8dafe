import type { FakeState } from '../../test/fake-deepseek/types';
import { BENCH_MARKER } from '../proxy/pow-answer-scanner';
import type { StreamOutcome } from './stream-outcome';

export interface BurstTimings {
  /** Completed requests: sent → their chat_session/create reached the upstream (fake's clock). */
  queueWaitMs: number[];
  /** Gateway only: sent → the gateway's HTTP server had the request (the probe's clock). */
  intakeMs: number[];
  /** Gateway only: the server had it → chat_session/create reached the upstream (queue inside the gateway). */
  insideGatewayMs: number[];
  /** Rejected requests: sent → the 429. */
  rejectMs: number[];
  busyRefusals: number;
}

/** Matches the burst's outcomes with the fake's sessions (by the prompt's bench marker) and the probe's arrivals. */
export function burstTimings(
  state: FakeState,
  outcomes: readonly StreamOutcome[],
  arrivals: Record<string, number> | null,
): BurstTimings {
  const sessionCreatedAt = new Map<string, number>();
  for (const session of Object.values(state.sessions)) {
    const prompt = session.messages[0]?.prompt;
    const marker = prompt === undefined ? null : BENCH_MARKER.exec(prompt);
    if (marker) sessionCreatedAt.set(marker[1], session.createdAt * 1000);
  }
  const timings: BurstTimings = { queueWaitMs: [], intakeMs: [], insideGatewayMs: [], rejectMs: [], busyRefusals: 0 };
  for (const outcome of outcomes) {
    const createdAt = sessionCreatedAt.get(outcome.marker);
    const arrivedAt = arrivals?.[outcome.marker];
    if (arrivedAt !== undefined) timings.intakeMs.push(arrivedAt - outcome.sentAtWall);
    if (outcome.ok && createdAt !== undefined) {
      timings.queueWaitMs.push(Math.max(0, createdAt - outcome.sentAtWall));
      if (arrivedAt !== undefined) timings.insideGatewayMs.push(Math.max(0, createdAt - arrivedAt));
    }
    if (outcome.error === 'http_429') timings.rejectMs.push((outcome.headersAt ?? outcome.endedAt) - outcome.startedAt);
  }
  timings.busyRefusals = Object.values(state.accounts).reduce((sum, a) => sum + a.busyRefusals, 0);
  return timings;
}
