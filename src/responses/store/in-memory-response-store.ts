import { Inject, Injectable } from '@nestjs/common';
import { BoundedTtlMap } from '../../common/collections/bounded-ttl-map';
import { appConfig, type AppConfig } from '../../config/app.config';
import type { OutputItem } from '../wire/responses-types';
import { ResponseStore, type StoredResponse } from './response-store';

/** Bounded by RESPONSES_STORE_MAX_ENTRIES (least recently used go first) and RESPONSES_STORE_TTL_SECONDS. */
@Injectable()
export class InMemoryResponseStore extends ResponseStore {
  private readonly responses: BoundedTtlMap<string, StoredResponse>;
  /** Output item id → its response id; a stale entry (its response gone) reads as unknown. */
  private readonly items: BoundedTtlMap<string, string>;

  constructor(@Inject(appConfig.KEY) config: Pick<AppConfig, 'responsesStoreMaxEntries' | 'responsesStoreTtlMs'>) {
    super();
    const { responsesStoreMaxEntries: maxEntries, responsesStoreTtlMs: ttlMs } = config;
    this.responses = new BoundedTtlMap(maxEntries, ttlMs);
    // An answer rarely has more than a handful of items; the cap only keeps a flood of calls bounded.
    this.items = new BoundedTtlMap(maxEntries * 16, ttlMs);
  }

  get(id: string): Promise<StoredResponse | undefined> {
    return Promise.resolve(this.responses.get(id));
  }

  save(record: StoredResponse): Promise<void> {
    const { id, output } = record.response;
    this.responses.set(id, record);
    for (const item of output) this.items.set(item.id, id);
    return Promise.resolve();
  }

  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.responses.delete(id));
  }

  findItem(itemId: string): Promise<{ record: StoredResponse; item: OutputItem } | undefined> {
    const responseId = this.items.get(itemId);
    const record = responseId === undefined ? undefined : this.responses.get(responseId);
    const item = record?.response.output.find((candidate) => candidate.id === itemId);
    return Promise.resolve(record && item ? { record, item } : undefined);
  }
}
