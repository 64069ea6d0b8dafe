import type { Pacing } from '../common/scenarios';
import type { FakeControl } from './fake-control';
import type { GatewayStreamOptions } from './gateway-stream';
import { launchRamped } from './launch';
import type { TargetRunner } from './targets';

/** Short, unpaced answers: enough to load code paths and JIT them before a measured phase. */
export const WARM_UP_PACING = (difficulty: number): Pacing => ({
  frames: 20,
  frameIntervalMs: 0,
  charsPerFrame: 4,
  difficulty,
});

/**
 * `count` concurrent short answers (the measured answer's text), account `i % tokens.length` each (or every
 * token, for `allTokens`), sent with `request` (e.g. tools declared) when given.
 */
export async function warmUp(
  runner: TargetRunner,
  fake: FakeControl,
  measured: Pacing,
  tokens: readonly string[],
  count: number,
  options: { allTokens?: boolean; request?: GatewayStreamOptions } = {},
): Promise<void> {
  await fake.setPacing({ ...WARM_UP_PACING(measured.difficulty), answer: measured.answer });
  try {
    await launchRamped(count, 0, (i) =>
      runner.stream(
        options.allTokens ? tokens : [tokens[i % tokens.length]],
        `warm:${runner.spec.label}:${i}`,
        {},
        options.request,
      ),
    );
  } finally {
    await fake.setPacing(measured);
  }
  await runner.freshConnections();
}
