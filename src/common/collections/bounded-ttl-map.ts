interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A Map with a size cap (least recently used entries go first) and an optional per-entry lifetime.
 * Expired entries are dropped lazily, when read or when they reach the eviction end.
 */
export class BoundedTtlMap<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs = Number.POSITIVE_INFINITY,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The live value, marked as recently used. */
  get(key: K, now = Date.now()): V | undefined {
    const entry = this.live(key, now);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The live value, leaving the eviction order alone. */
  peek(key: K, now = Date.now()): V | undefined {
    return this.live(key, now)?.value;
  }

  /** When `key`'s entry expires (ms since epoch), if it is live. */
  expiresAt(key: K, now = Date.now()): number | undefined {
    return this.live(key, now)?.expiresAt;
  }

  set(key: K, value: V, now = Date.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** Live entries, least recently used first. */
  *liveEntries(now = Date.now()): IterableIterator<[K, V]> {
    for (const [key, entry] of this.entries) if (entry.expiresAt > now) yield [key, entry.value];
  }

  private live(key: K, now: number): Entry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
