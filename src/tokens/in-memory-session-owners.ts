import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../config/tokens.config';
import { BoundedTtlMap } from './bounded-ttl-map';
import { SessionOwners } from './session-owners';

@Injectable()
export class InMemorySessionOwners extends SessionOwners {
  private readonly owners: BoundedTtlMap<string, string>;

  constructor(@Inject(tokensConfig.KEY) config: ConfigType<typeof tokensConfig>) {
    super();
    this.owners = new BoundedTtlMap(config.sessionMaxEntries, config.sessionTtlMs);
  }

  ownerOf(sessionId: string): Promise<string | undefined> {
    return Promise.resolve(this.owners.get(sessionId));
  }

  remember(sessionId: string, accountId: string): Promise<void> {
    this.owners.set(sessionId, accountId);
    return Promise.resolve();
  }

  forget(sessionId: string): Promise<void> {
    this.owners.delete(sessionId);
    return Promise.resolve();
  }
}
