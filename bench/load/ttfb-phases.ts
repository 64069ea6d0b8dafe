import type { ProxyCall } from '../proxy/proxy-log';
import type { StreamOutcome } from './stream-outcome';

/**
 * Where one request's time went, from what the latency proxy saw: requests when they reached it (before the
 * added delay), responses when their head passed back. With chat_session/create running beside the PoW
 * path, TTFB ≈ the sum of the four.
 */
export interface PhaseTimes {
  /** Request sent → its first upstream call (for the gateway: its own work before the handshake). */
  beforeUpstreamMs: number;
  /** create_pow_challenge request → its response back (the added delay and the fake's work). */
  challengeRoundTripMs: number;
  /** Challenge response back → completion request out: the PoW solve and whatever surrounds it. */
  solveIntervalMs: number;
  /** The completion request → the first token at the client (the added delay, the fake, the relay). */
  completionToTokenMs: number;
}

/** Splits one request's time at the upstream calls made while it ran (scenario 1 never overlaps requests). */
export function phaseTimes(outcome: StreamOutcome, calls: readonly ProxyCall[]): PhaseTimes | null {
  const end = outcome.sentAtWall + (outcome.endedAt - outcome.startedAt);
  const mine = calls.filter((c) => c.at >= outcome.sentAtWall && c.at <= end);
  const find = (path: string, direction: ProxyCall['direction']) =>
    mine.find((c) => c.path === `/api/v0/${path}` && c.direction === direction);
  const challengeOut = find('chat/create_pow_challenge', 'request');
  const challengeBack = find('chat/create_pow_challenge', 'response');
  const completion = find('chat/completion', 'request');
  if (!challengeOut || !challengeBack || !completion || outcome.firstTokenAt === null) return null;
  const firstTokenWall = outcome.sentAtWall + (outcome.firstTokenAt - outcome.startedAt);
  return {
    beforeUpstreamMs: mine[0].at - outcome.sentAtWall,
    challengeRoundTripMs: challengeBack.at - challengeOut.at,
    solveIntervalMs: completion.at - challengeBack.at,
    completionToTokenMs: firstTokenWall - completion.at,
  };
}
