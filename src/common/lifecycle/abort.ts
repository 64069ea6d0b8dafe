export function abortError(): DOMException {
  return new DOMException('The request was cancelled while waiting for a DeepSeek account.', 'AbortError');
}

export const isAbortError = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';

/** Settles like `promise`, or rejects with an AbortError as soon as `signal` aborts (the promise runs on). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
