import type { ConsumedFault, FakeEndpoint, FaultName, FaultSpec, QueuedFault } from './types';

/** Faults that shape a stream; consumed only when a completion or continue actually streams. */
const STREAM_FAULTS: ReadonlySet<FaultName> = new Set([
  'hint_error',
  'disconnect',
  'stall',
  'incomplete',
  'content_filter',
  'context_length',
  'content_too_long',
  'cancelled',
  'content_empty',
  'close_retry',
]);

/** Faults of file uploads; consumed only by `upload_file`, after its authentication and PoW. */
const UPLOAD_FAULTS: ReadonlySet<FaultName> = new Set(['file_failed', 'upload_rate_limit']);

const FAULT_NAMES: ReadonlySet<string> = new Set<FaultName>([
  'waf_html',
  'auth_40003',
  'muted',
  'throttle',
  'busy',
  'hint_error',
  'disconnect',
  'stall',
  'incomplete',
  'content_filter',
  'context_length',
  'slow_first_byte',
  'model_unavailable',
  'client_version_too_low',
  'banned',
  'suspended',
  'content_too_long',
  'cancelled',
  'content_empty',
  'close_retry',
  'file_failed',
  'upload_rate_limit',
]);

export type FaultPhase = 'request' | 'stream' | 'upload';

function phaseOf(fault: FaultName): FaultPhase {
  if (STREAM_FAULTS.has(fault)) return 'stream';
  return UPLOAD_FAULTS.has(fault) ? 'upload' : 'request';
}

/** Queued faults (§10.6): per account (or '*') and endpoint (or '*'), consumed in order. */
export class FaultQueue {
  private queued: QueuedFault[] = [];
  private consumed: ConsumedFault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): QueuedFault {
    if (!FAULT_NAMES.has(spec.fault)) throw new Error(`unknown fault: ${String(spec.fault)}`);
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
    const entry: QueuedFault = {
      id: this.nextId++,
      fault: spec.fault,
      account: spec.account ?? '*',
      endpoint: spec.endpoint ?? '*',
      times,
      remaining: times,
      params: { ...(spec.params ?? {}) },
    };
    this.queued.push(entry);
    return entry;
  }

  /** The first matching fault of that phase (and name, when `only` is given), counted as used once. */
  take(account: string, endpoint: FakeEndpoint, phase: FaultPhase, only?: FaultName): QueuedFault | undefined {
    const index = this.queued.findIndex(
      (f) =>
        (f.account === '*' || f.account === account) &&
        (f.endpoint === '*' || f.endpoint === endpoint) &&
        phaseOf(f.fault) === phase &&
        (only === undefined || f.fault === only),
    );
    if (index < 0) return undefined;
    const fault = this.queued[index];
    fault.remaining--;
    if (fault.remaining === 0) this.queued.splice(index, 1);
    this.consumed.push({ id: fault.id, fault: fault.fault, account, endpoint, at: Date.now() });
    return fault;
  }

  view(): { queued: QueuedFault[]; consumed: ConsumedFault[] } {
    return { queued: this.queued.map((f) => ({ ...f, params: { ...f.params } })), consumed: [...this.consumed] };
  }

  clear(): void {
    this.queued = [];
    this.consumed = [];
  }
}

/** Reads a numeric fault param, with a default. */
export function numberParam(fault: QueuedFault, name: string, fallback: number): number {
  const value = fault.params[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export function stringParam(fault: QueuedFault, name: string, fallback: string): string {
  const value = fault.params[name];
  return typeof value === 'string' ? value : fallback;
}
