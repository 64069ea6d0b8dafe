import { createHash } from 'node:crypto';
import type { RedisConnections } from '../../common/redis/redis-connections';
import { PeerQueues } from './peer-queues';

const CHANNEL = 'dsgw:queues';
/** While a replica has waiters it repeats its report this often; a peer silent for STALE_MS is taken as gone. */
const HEARTBEAT_MS = 1_000;
const STALE_MS = 3 * HEARTBEAT_MS;

interface Peer {
  seenAt: number;
  oldest: Map<string, number>;
}

/**
 * Queues told through Redis pub/sub: a replica publishes its oldest waiter per candidate set when that
 * changes, and every second while it has waiters; nothing is stored, so a crashed replica is forgotten
 * once its reports stop. Candidate sets travel as short hashes of their account ids.
 */
export class RedisPeerQueues extends PeerQueues {
  private readonly peers = new Map<string, Peer>();
  private readonly listeners = new Set<() => void>();
  private readonly hashes = new Map<string, string>();
  private published = '[]';
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly redis: RedisConnections) {
    super();
    void this.redis.subscriber.subscribe(CHANNEL).catch(() => undefined);
    this.redis.subscriber.on('message', (channel: string, raw: string) => {
      if (channel === CHANNEL) this.receive(raw);
    });
  }

  report(oldest: ReadonlyMap<string, number>): void {
    const entries = JSON.stringify([...oldest].map(([key, startedAt]) => [this.hashOf(key), startedAt]));
    if (entries === this.published) return;
    this.published = entries;
    this.publish();
    if (oldest.size > 0 && !this.heartbeat) {
      this.heartbeat = setInterval(() => this.publish(), HEARTBEAT_MS);
      this.heartbeat.unref();
    } else if (oldest.size === 0) this.stop();
  }

  olderElsewhere(candidateKey: string, than: number, now = Date.now()): number | undefined {
    const hash = this.hashOf(candidateKey);
    let oldest: number | undefined;
    for (const [id, peer] of this.peers) {
      if (now - peer.seenAt > STALE_MS) {
        this.peers.delete(id);
        continue;
      }
      const startedAt = peer.oldest.get(hash);
      if (startedAt !== undefined && startedAt < than && (oldest === undefined || startedAt < oldest)) {
        oldest = startedAt;
      }
    }
    return oldest;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private publish(): void {
    const message = `{"from":${JSON.stringify(this.redis.replicaId)},"oldest":${this.published}}`;
    this.redis.command.publish(CHANNEL, message).catch(() => undefined);
  }

  private receive(raw: string): void {
    let message: { from?: unknown; oldest?: unknown };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    const { from, oldest } = message;
    if (typeof from !== 'string' || from === this.redis.replicaId || !Array.isArray(oldest)) return;
    const entries = new Map<string, number>();
    for (const entry of oldest as unknown[]) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number') {
        entries.set(entry[0], entry[1]);
      }
    }
    const before = this.peers.get(from);
    if (entries.size === 0) this.peers.delete(from);
    else this.peers.set(from, { seenAt: Date.now(), oldest: entries });
    if (before && sameEntries(before.oldest, entries)) return; // a heartbeat
    for (const listener of this.listeners) listener();
  }

  private hashOf(candidateKey: string): string {
    let hash = this.hashes.get(candidateKey);
    if (hash === undefined) {
      if (this.hashes.size >= 1_000) this.hashes.clear();
      hash = createHash('sha256').update(candidateKey).digest('base64url').slice(0, 16);
      this.hashes.set(candidateKey, hash);
    }
    return hash;
  }
}

function sameEntries(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}
