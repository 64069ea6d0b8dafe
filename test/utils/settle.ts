import type { PoolSnapshot } from '../../src/tokens/pool/token-pool.service';
import type { Stack } from './stack';

const POLL_MS = 5;
const SETTLE_TIMEOUT_MS = 5000;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function pollUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  failure: (last: T) => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(failure(value));
    await sleep(POLL_MS);
  }
}

/** Polls until `predicate` holds; fails after `timeoutMs`. */
export async function waitUntil(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  await pollUntil(predicate, Boolean, timeoutMs, () => 'condition not met in time');
}

/** Polls until `check` gives a value other than undefined, and returns it; fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const value = await pollUntil(
    check,
    (v) => v !== undefined,
    timeoutMs,
    () => 'condition not met in time',
  );
  return value as T;
}

/**
 * Nothing leaked: waits until nothing is held on either side (the fake has no generation in flight and
 * no open stream; the gateway holds no lease, counts no busy account and has nobody waiting), since
 * releases travel through the event loop. Returns the pool snapshot for further checks.
 */
export async function expectSettled(stack: Stack, timeoutMs = SETTLE_TIMEOUT_MS): Promise<PoolSnapshot> {
  await stack.fake.waitFor((state) => state.inFlight === 0 && state.openStreams === 0, timeoutMs);
  const pool = await pollUntil(
    () => stack.pool(),
    (snapshot) => snapshot.leases === 0 && snapshot.busy === 0 && snapshot.waiting === 0,
    timeoutMs,
    (snapshot) => `the gateway pool did not settle within ${timeoutMs} ms: ${JSON.stringify(snapshot)}`,
  );
  expect(pool).toMatchObject({ leases: 0, busy: 0, waiting: 0 });
  expect(stack.fake.state()).toMatchObject({ inFlight: 0, openStreams: 0 });
  return pool;
}

/** `expectSettled`, and every account the gateway knows is idle again (none cooling, at quota, muted, banned or invalid). */
export async function expectAllIdle(stack: Stack): Promise<void> {
  const pool = await expectSettled(stack);
  expect(pool).toEqual({
    idle: pool.idle,
    busy: 0,
    cooling: 0,
    quota: 0,
    muted: 0,
    banned: 0,
    invalid: 0,
    waiting: 0,
    leases: 0,
  });
  expect(pool.idle).toBeGreaterThan(0);
}
