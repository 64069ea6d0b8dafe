/** Lets every pending promise job and I/O callback run (the in-memory pool settles within one turn). */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** 'pending' while `promise` has not settled after a flush; never throws. */
export async function stateOf(promise: Promise<unknown>): Promise<'fulfilled' | 'rejected' | 'pending'> {
  let state: 'fulfilled' | 'rejected' | 'pending' = 'pending';
  promise.then(
    () => (state = 'fulfilled'),
    () => (state = 'rejected'),
  );
  await flush();
  return state;
}
