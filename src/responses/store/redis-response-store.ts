import { Logger } from '@nestjs/common';
import type { RedisConnections } from '../../common/redis/redis-connections';
import type { OutputItem } from '../wire/responses-types';
import { ResponseStore, responseStoreUnavailableError, type StoredResponse } from './response-store';

const responseKey = (id: string) => `dsgw:response:${id}`;
/** An output item's id → its response's id, so that `item_reference` finds it. */
const itemKey = (itemId: string) => `dsgw:response-item:${itemId}`;

/**
 * Stored responses in Redis, shared by every replica: a client's next request may reach any of them.
 * Each response and its item index entries live for RESPONSES_STORE_TTL_SECONDS; that TTL is what
 * bounds the memory, since RESPONSES_STORE_MAX_ENTRIES cannot be a cheap LRU here (0 still keeps nothing).
 */
export class RedisResponseStore extends ResponseStore {
  private readonly logger = new Logger(RedisResponseStore.name);

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: { responsesStoreMaxEntries: number; responsesStoreTtlMs: number },
  ) {
    super();
  }

  async get(id: string): Promise<StoredResponse | undefined> {
    return parsed(await this.read(() => this.redis.command.get(responseKey(id))));
  }

  async save(record: StoredResponse): Promise<void> {
    const { responsesStoreMaxEntries: maxEntries, responsesStoreTtlMs: ttlMs } = this.config;
    if (maxEntries === 0) return;
    const { id, output } = record.response;
    const transaction = this.redis.command.multi().set(responseKey(id), JSON.stringify(record), 'PX', ttlMs);
    for (const item of output) transaction.set(itemKey(item.id), id, 'PX', ttlMs);
    try {
      // A command refused inside the transaction (an OOM under `noeviction`) is a result, not a rejection.
      const failure = (await transaction.exec())?.find(([error]) => error)?.[0];
      if (failure) throw failure;
    } catch (error) {
      this.logger.warn(`response ${id} (${output.length} output item(s)) not stored: ${messageOf(error)}`);
    }
  }

  async delete(id: string): Promise<boolean> {
    const record = await this.get(id);
    if (!record) return false;
    const keys = [responseKey(id), ...record.response.output.map((item) => itemKey(item.id))];
    return (await this.read(() => this.redis.command.del(...keys))) > 0;
  }

  async findItem(itemId: string): Promise<{ record: StoredResponse; item: OutputItem } | undefined> {
    const responseId = await this.read(() => this.redis.command.get(itemKey(itemId)));
    const record = responseId === null ? undefined : await this.get(responseId);
    const item = record?.response.output.find((candidate) => candidate.id === itemId);
    return record && item ? { record, item } : undefined;
  }

  private async read<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.logger.warn(`Redis is unreachable, stored responses cannot be read: ${messageOf(error)}`);
      throw responseStoreUnavailableError();
    }
  }
}

function parsed(value: string | null): StoredResponse | undefined {
  return value === null ? undefined : (JSON.parse(value) as StoredResponse);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
