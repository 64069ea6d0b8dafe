import { UpstreamError } from '../upstream-error';

/** Our own timeouts: one for the wait for the headers, one for a silent body (the socket's idle one). */
export class TransportTimeout extends Error {
  override readonly name = 'TransportTimeout';

  constructor(readonly code: 'HEADERS_TIMEOUT' | 'IDLE_TIMEOUT') {
    super(code === 'HEADERS_TIMEOUT' ? 'no answer headers in time' : 'no byte from the upstream in time');
  }
}

/** A failure before the answer's headers: the upstream is unreachable or silent. An abort we asked for stays an abort. */
export function requestError(endpoint: string, error: unknown, signal?: AbortSignal): Error {
  if (error instanceof UpstreamError) return error;
  if (signal?.aborted) return abortReason(signal, error);
  if (error instanceof TransportTimeout) return timeoutError(endpoint, error);
  const code = codeOf(error);
  return new UpstreamError('network', `${endpoint}: network error${code ? ` (${code})` : ''}`, { endpoint });
}

/**
 * A failure while reading an answer's body (a JSON answer or an SSE stream). The upstream did answer, so a
 * dropped connection here means a cut answer, not an unreachable upstream. An abort we asked for stays an abort.
 */
export function toUpstreamError(endpoint: string, error: unknown, signal?: AbortSignal): Error {
  if (error instanceof UpstreamError) return error;
  if (signal?.aborted) return abortReason(signal, error);
  if (error instanceof TransportTimeout) return timeoutError(endpoint, error);
  const code = codeOf(error);
  return new UpstreamError(
    'bad_response',
    `${endpoint}: the connection closed before the answer was complete${code ? ` (${code})` : ''}`,
    { endpoint },
  );
}

/** The caller's own reason, so that whoever aborted recognises it. */
function abortReason(signal: AbortSignal, error: unknown): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return error instanceof Error ? error : new Error('aborted');
}

const timeoutError = (endpoint: string, error: TransportTimeout): UpstreamError =>
  new UpstreamError('timeout', `${endpoint}: the upstream timed out (${error.code})`, { endpoint });

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}
