import type { Pacing } from '../common/scenarios';
import type { FakeControl } from './fake-control';
import { launchRamped } from './launch';
import type { TargetRunner } from './targets';

/** Short, unpaced answers: enough to load code paths and JIT them before a measured phase. */
export const WARM_UP_PACING = (difficulty: number): Pacing => ({
  frames: 20,
  frameIntervalMs: 0,
  charsPerFrame: 4,
  difficulty,
});

/** `count` concurrent short answers, account `i % tokens.length` each (or every token, for `allTokens`). */
export async function warmUp(
  runner: TargetRunner,
  fake: FakeControl,
  measured: Pacing,
  tokens: readonly string[],
  count: number,
  options: { allTokens?: boolean } = {},
): Promise<void> {
  await fake.setPacing(WARM_UP_PACING(measured.difficulty));
  try {
    await launchRamped(count, 0, (i) =>
      runner.stream(options.allTokens ? tokens : [tokens[i % tokens.length]], `warm:${runner.spec.label}:${i}`),
    );
  } finally {
    await fake.setPacing(measured);
  }
  await runner.freshConnections();
}
