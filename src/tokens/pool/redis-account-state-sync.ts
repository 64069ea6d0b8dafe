import type { RedisConnections } from '../../common/redis/redis-connections';
import {
  AccountStateSync,
  type AccountUpdate,
  type KnownAccountState,
  type SharedAccountState,
  type StartClaim,
  type StartQuota,
} from './account-state-sync';

const HOUR = 3_600_000;
const CHANNEL = 'dsgw:accounts';
/** A ban or a mute is remembered this long after the last news of the account (a restart no longer forgets it). */
const STATE_TTL_MS = 24 * HOUR;
const stateKey = (accountId: string) => `dsgw:account:${accountId}`;
const startsKey = (accountId: string) => `dsgw:starts:${accountId}`;

/**
 * Checks the operator's quotas against every replica's starts of the last hour and, when they allow it,
 * records the start and tells the other replicas, in one step. Returns {granted, starts with scores}.
 */
const CLAIM = `
local now = tonumber(ARGV[1])
local minInterval = tonumber(ARGV[2])
local maxPerHour = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${HOUR})
local openAt = 0
if minInterval > 0 then
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if last[2] then openAt = tonumber(last[2]) + minInterval end
end
local count = redis.call('ZCARD', KEYS[1])
if maxPerHour > 0 and count >= maxPerHour then
  local nth = redis.call('ZRANGE', KEYS[1], count - maxPerHour, count - maxPerHour, 'WITHSCORES')
  openAt = math.max(openAt, tonumber(nth[2]) + ${HOUR})
end
local granted = 0
if openAt <= now then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], ${HOUR})
  redis.call('PUBLISH', ARGV[5], ARGV[6])
  granted = 1
end
return {granted, redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')}
`;

interface Message {
  from: string;
  id: string;
  state?: SharedAccountState;
  start?: number;
  replaces?: number;
}

/**
 * Account health and generation starts in Redis: the latest view of each account as a JSON value (read by
 * a replica that meets the account for the first time), every change published to the others; starts in
 * a sorted set per account, trimmed to the last hour. Times are the writing replica's clock: replicas are
 * expected to keep theirs in sync (NTP), as quotas and mutes are minutes long.
 */
export class RedisAccountStateSync extends AccountStateSync {
  private readonly listeners = new Set<(accountId: string, update: AccountUpdate) => void>();
  /** This replica's latest start per account: its member in the sorted set, for `restampStart`. */
  private readonly lastMembers = new Map<string, { at: number; member: string }>();
  private members = 0;

  constructor(private readonly redis: RedisConnections) {
    super();
    void this.redis.subscriber.subscribe(CHANNEL).catch(() => undefined);
    this.redis.subscriber.on('message', (channel: string, raw: string) => {
      if (channel === CHANNEL) this.receive(raw);
    });
  }

  publishState(accountId: string, state: SharedAccountState): void {
    const message = JSON.stringify({ from: this.redis.replicaId, id: accountId, state } satisfies Message);
    this.redis.command
      .multi()
      .set(stateKey(accountId), JSON.stringify(state), 'PX', STATE_TTL_MS)
      .publish(CHANNEL, message)
      .exec()
      .catch(() => undefined);
  }

  publishStart(accountId: string, at: number): void {
    const member = this.memberFor(accountId, at);
    const message = JSON.stringify({ from: this.redis.replicaId, id: accountId, start: at } satisfies Message);
    this.redis.command
      .multi()
      .zremrangebyscore(startsKey(accountId), '-inf', at - HOUR)
      .zadd(startsKey(accountId), at, member)
      .pexpire(startsKey(accountId), HOUR)
      .publish(CHANNEL, message)
      .exec()
      .catch(() => undefined);
  }

  restampStart(accountId: string, from: number, to: number): void {
    const last = this.lastMembers.get(accountId);
    if (!last || last.at !== from) return;
    last.at = to;
    const message = JSON.stringify({
      from: this.redis.replicaId,
      id: accountId,
      start: to,
      replaces: from,
    } satisfies Message);
    this.redis.command
      .multi()
      .zadd(startsKey(accountId), 'XX', to, last.member)
      .publish(CHANNEL, message)
      .exec()
      .catch(() => undefined);
  }

  async claimStart(accountId: string, at: number, quota: StartQuota): Promise<StartClaim> {
    const member = this.nextMember();
    const message = JSON.stringify({ from: this.redis.replicaId, id: accountId, start: at } satisfies Message);
    const [granted, scored] = (await this.redis.command.eval(
      CLAIM,
      1,
      startsKey(accountId),
      at,
      quota.minIntervalMs,
      quota.maxPerHour,
      member,
      CHANNEL,
      message,
    )) as [number, string[]];
    if (granted === 1) this.lastMembers.set(accountId, { at, member });
    return { granted: granted === 1, starts: scoresOf(scored) };
  }

  async load(accountIds: readonly string[]): Promise<Map<string, KnownAccountState>> {
    const since = Date.now() - HOUR;
    const pipeline = this.redis.command.pipeline();
    for (const id of accountIds) {
      pipeline.get(stateKey(id));
      pipeline.zrangebyscore(startsKey(id), since, '+inf', 'WITHSCORES');
    }
    const replies = (await pipeline.exec()) ?? [];
    const known = new Map<string, KnownAccountState>();
    accountIds.forEach((id, i) => {
      const [stateError, state] = replies[2 * i] ?? [];
      const [startsError, starts] = replies[2 * i + 1] ?? [];
      const parsed = stateError || typeof state !== 'string' ? null : parseState(state);
      const times = startsError || !Array.isArray(starts) ? [] : scoresOf(starts as string[]);
      if (parsed || times.length > 0) known.set(id, { state: parsed, starts: times });
    });
    return known;
  }

  onUpdate(listener: (accountId: string, update: AccountUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private memberFor(accountId: string, at: number): string {
    const member = this.nextMember();
    this.lastMembers.set(accountId, { at, member });
    return member;
  }

  /** A start's member in the sorted set: unique across replicas and across this replica's starts. */
  private nextMember(): string {
    return `${this.redis.replicaId}:${++this.members}`;
  }

  private receive(raw: string): void {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.from === this.redis.replicaId || typeof message.id !== 'string') return;
    let update: AccountUpdate | null = null;
    const state = message.state === undefined ? null : pickState(message.state);
    if (state) update = { state };
    else if (typeof message.start === 'number') {
      update =
        typeof message.replaces === 'number'
          ? { start: message.start, replaces: message.replaces }
          : { start: message.start };
    }
    if (update) for (const listener of this.listeners) listener(message.id, update);
  }
}

/** `[member, score, member, score…]` → the scores, ascending (as Redis sorts them). */
function scoresOf(flat: readonly string[]): number[] {
  const scores: number[] = [];
  for (let i = 1; i < flat.length; i += 2) scores.push(Number(flat[i]));
  return scores;
}

function parseState(raw: string): SharedAccountState | null {
  try {
    return pickState(JSON.parse(raw));
  } catch {
    return null;
  }
}

/** The fields this version knows, checked; null when one is missing (a newer replica may publish more). */
function pickState(value: unknown): SharedAccountState | null {
  if (typeof value !== 'object' || value === null) return null;
  const { validUntil, invalidUntil, mutedUntil, coolUntil, refusals, suspended, banned, lastError } = value as Record<
    string,
    unknown
  >;
  const times = [validUntil, invalidUntil, mutedUntil, coolUntil, refusals];
  if (!times.every((field) => typeof field === 'number')) return null;
  if (typeof suspended !== 'boolean' || typeof banned !== 'boolean') return null;
  const error = lastError as { kind?: unknown; at?: unknown } | null;
  const validError =
    error === null || (typeof error === 'object' && typeof error.kind === 'string' && typeof error.at === 'number');
  if (!validError) return null;
  return {
    validUntil: validUntil as number,
    invalidUntil: invalidUntil as number,
    mutedUntil: mutedUntil as number,
    coolUntil: coolUntil as number,
    refusals: refusals as number,
    suspended,
    banned,
    lastError: error === null ? null : { kind: error.kind as string, at: error.at as number },
  };
}
