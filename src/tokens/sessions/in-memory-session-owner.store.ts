import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../../config/tokens.config';
import { BoundedTtlMap } from '../../common/collections/bounded-ttl-map';
import { type ConversationOwner, SessionOwnerStore } from './session-owner.store';

@Injectable()
export class InMemorySessionOwnerStore extends SessionOwnerStore {
  private readonly owners: BoundedTtlMap<string, ConversationOwner>;

  constructor(@Inject(tokensConfig.KEY) config: ConfigType<typeof tokensConfig>) {
    super();
    this.owners = new BoundedTtlMap(config.sessionMaxEntries, config.sessionTtlMs);
  }

  ownerOf(sessionId: string): Promise<ConversationOwner | undefined> {
    const owner = this.owners.get(sessionId);
    return Promise.resolve(owner ? { ...owner } : undefined);
  }

  remember(sessionId: string, owner: ConversationOwner): Promise<void> {
    this.owners.set(sessionId, { ...owner });
    return Promise.resolve();
  }

  forget(sessionId: string): Promise<void> {
    this.owners.delete(sessionId);
    return Promise.resolve();
  }
}
