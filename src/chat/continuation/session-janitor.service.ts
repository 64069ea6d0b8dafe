import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { tokensConfig } from '../../config/tokens.config';
import { DeepSeekClient } from '../../deepseek/deepseek.client';
import { CredentialsService } from '../../tokens/auth/credentials.service';

const MAX_SWEEP_INTERVAL_MS = 60_000;

/**
 * `SESSION_CLEANUP=delete-after`: the upstream chats this server created on its own accounts
 * (`DEEPSEEK_TOKENS`) are deleted once nobody has continued them for `CONVERSATION_TTL_MS`, when the
 * conversation store forgets them too, so the account's web history is not flooded with one chat per
 * request. Chats on a client's own tokens are left alone: the token is not kept after the request.
 * Deletions run one at a time.
 */
@Injectable()
export class SessionJanitorService implements OnModuleDestroy {
  private readonly logger = new Logger(SessionJanitorService.name);
  /** Chat id → its account and when it was last used, oldest first. */
  private readonly chats = new Map<string, { accountId: string; usedAt: number }>();
  private readonly timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    @Inject(tokensConfig.KEY) private readonly config: ConfigType<typeof tokensConfig>,
    private readonly credentials: CredentialsService,
    private readonly deepseek: DeepSeekClient,
  ) {
    if (config.sessionCleanup === 'delete-after') {
      const every = Math.min(config.conversationTtlMs, MAX_SWEEP_INTERVAL_MS);
      this.timer = setInterval(() => void this.sweep(), every).unref();
    }
  }

  /** An answer used this chat on this account (a new chat, or a continued one). */
  used(sessionId: string, accountId: string): void {
    if (!this.timer || !this.credentials.poolAccounts.some((account) => account.id === accountId)) return;
    this.chats.delete(sessionId);
    this.chats.set(sessionId, { accountId, usedAt: Date.now() });
    if (this.chats.size > this.config.conversationMaxEntries) void this.sweep(true);
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Deletes the chats unused for the TTL (and, over the cap, the oldest ones). */
  private async sweep(overCap = false): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const idleSince = Date.now() - this.config.conversationTtlMs;
      let deleted = 0;
      for (const [sessionId, chat] of this.chats) {
        const stale = chat.usedAt <= idleSince || (overCap && this.chats.size > this.config.conversationMaxEntries);
        if (!stale) break;
        this.chats.delete(sessionId);
        const account = this.credentials.poolAccounts.find((candidate) => candidate.id === chat.accountId);
        if (!account) continue;
        await this.deepseek.deleteSession(account.token, sessionId).then(
          () => deleted++,
          (error: unknown) => this.logger.warn(`deleting an expired chat failed: ${(error as Error).message}`),
        );
      }
      if (deleted > 0) this.logger.log(`deleted ${deleted} expired upstream chat(s)`);
    } finally {
      this.sweeping = false;
    }
  }
}
