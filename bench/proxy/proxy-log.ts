/** One upstream call as the latency proxy saw it: its request arriving, or its response head passing back. */
export interface ProxyCall {
  /** Wall clock (common/clock.ts): the request's arrival, before the added delay, or the response's passage. */
  at: number;
  path: string;
  direction: 'request' | 'response';
}

/** What the proxy recorded: PoW answers by bench marker, and every call. */
export interface ProxyLog {
  answers: Map<string, number>;
  calls: ProxyCall[];
}

const MAX_CALLS = 100_000;

export function recordCall(log: ProxyLog, call: ProxyCall): void {
  if (log.calls.length < MAX_CALLS) log.calls.push(call);
}
