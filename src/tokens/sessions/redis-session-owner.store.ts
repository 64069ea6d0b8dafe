import type { RedisConnections } from '../../common/redis/redis-connections';
import { type ConversationOwner, SessionOwnerStore } from './session-owner.store';

/** conversation_id owners in Redis, shared by every replica. */
export class RedisSessionOwnerStore extends SessionOwnerStore {
  constructor(
    private readonly redis: RedisConnections,
    private readonly ttlMs: number,
  ) {
    super();
  }

  async ownerOf(sessionId: string): Promise<ConversationOwner | undefined> {
    const value = await this.redis.command.get(keyOf(sessionId)).catch(() => null);
    return value === null ? undefined : (JSON.parse(value) as ConversationOwner);
  }

  async remember(sessionId: string, owner: ConversationOwner): Promise<void> {
    await this.redis.command.set(keyOf(sessionId), JSON.stringify(owner), 'PX', this.ttlMs).catch(() => undefined);
  }

  async forget(sessionId: string): Promise<void> {
    await this.redis.command.del(keyOf(sessionId)).catch(() => undefined);
  }
}

const keyOf = (sessionId: string) => `dsgw:session-owner:${sessionId}`;
