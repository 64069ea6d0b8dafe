import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { BoundedTtlMap } from '../../common/collections/bounded-ttl-map';
import { tokensConfig } from '../../config/tokens.config';
import { ConversationStore, type ConversationTurn } from './conversation.store';

@Injectable()
export class InMemoryConversationStore extends ConversationStore {
  private readonly turns: BoundedTtlMap<string, ConversationTurn>;

  constructor(@Inject(tokensConfig.KEY) config: ConfigType<typeof tokensConfig>) {
    super();
    this.turns = new BoundedTtlMap(config.conversationMaxEntries, config.conversationTtlMs);
  }

  find(key: string): Promise<ConversationTurn | undefined> {
    const turn = this.turns.get(key);
    return Promise.resolve(turn ? { ...turn } : undefined);
  }

  remember(key: string, turn: ConversationTurn): Promise<void> {
    this.turns.set(key, { ...turn });
    return Promise.resolve();
  }
}
