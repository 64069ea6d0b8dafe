import type { PoolSnapshot } from '../../src/tokens/token-pool';
import type { Stack } from './stack';

const POLL_MS = 5;
const TIMEOUT_MS = 5000;

async function poll<T>(read: () => T, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what} did not settle within ${TIMEOUT_MS} ms: ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Waits until nothing is held on either side: the fake has no generation in flight and no open stream,
 * and the gateway holds no lease and has nobody waiting. Returns the pool snapshot for further checks.
 */
export async function expectSettled(stack: Stack): Promise<PoolSnapshot> {
  await stack.fake.waitFor((state) => state.inFlight === 0 && state.openStreams === 0, TIMEOUT_MS);
  const pool = await poll(
    () => stack.pool(),
    (snapshot) => snapshot.leases === 0 && snapshot.busy === 0 && snapshot.waiting === 0,
    'the gateway pool',
  );
  expect(pool).toMatchObject({ leases: 0, busy: 0, waiting: 0 });
  expect(stack.fake.state()).toMatchObject({ inFlight: 0, openStreams: 0 });
  return pool;
}

/** `expectSettled`, and every account the gateway knows is idle again (none cooling, muted or invalid). */
export async function expectAllIdle(stack: Stack): Promise<void> {
  const pool = await expectSettled(stack);
  expect(pool).toEqual({
    idle: pool.idle,
    busy: 0,
    cooling: 0,
    muted: 0,
    invalid: 0,
    waiting: 0,
    leases: 0,
  });
  expect(pool.idle).toBeGreaterThan(0);
}
