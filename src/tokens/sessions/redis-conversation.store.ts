import type { RedisConnections } from '../../common/redis/redis-connections';
import { ConversationStore, type ConversationTurn } from './conversation.store';

/** Exchanges by fingerprint in Redis, shared by every replica: a conversation continues on any of them. */
export class RedisConversationStore extends ConversationStore {
  constructor(
    private readonly redis: RedisConnections,
    private readonly ttlMs: number,
  ) {
    super();
  }

  async find(key: string): Promise<ConversationTurn | undefined> {
    const value = await this.redis.command.get(`dsgw:conversation:${key}`).catch(() => null);
    return value === null ? undefined : (JSON.parse(value) as ConversationTurn);
  }

  async remember(key: string, turn: ConversationTurn): Promise<void> {
    await this.redis.command
      .set(`dsgw:conversation:${key}`, JSON.stringify(turn), 'PX', this.ttlMs)
      .catch(() => undefined);
  }
}
