import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { abortReason } from '../../common/lifecycle/abort';
import { MetricsService } from '../../common/metrics/metrics.service';
import { appConfig, type AppConfig } from '../../config/app.config';
import { tokensConfig } from '../../config/tokens.config';
import { UpstreamError } from '../../deepseek/upstream-error';
import type { RequestCredentials } from '../../tokens/auth/request-credentials.decorator';
import { ConversationStore, type ConversationTurn } from '../../tokens/sessions/conversation.store';
import { AccountFailoverService, type CompletionRequest, type StartedCompletion } from '../account-failover.service';
import { type ChatPlan, checkNewSessionPrompt, type PlanOptions } from '../chat-plan';
import { SessionJanitorService } from './session-janitor.service';

export interface ThreadStart extends StartedCompletion {
  /** What was sent: the continuation, or the whole history in a new session. */
  request: CompletionRequest;
}

/**
 * Native multi-turn: a request whose history extends an exchange we answered continues that upstream
 * chat on the account that holds it, sending only the new messages; the answer's exchange is recorded
 * for the next turn. The owner account is waited for at most `conversationOwnerWaitMs`; when it cannot
 * serve (busy past that, muted, invalid, gone) the request starts a new chat with the whole history on
 * any account, as without reuse: never an error for that reason.
 */
@Injectable()
export class ConversationThreadsService {
  private readonly logger = new Logger(ConversationThreadsService.name);

  constructor(
    private readonly failover: AccountFailoverService,
    private readonly store: ConversationStore,
    private readonly janitor: SessionJanitorService,
    @Inject(tokensConfig.KEY) private readonly tokens: ConfigType<typeof tokensConfig>,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** How plans are built for a caller: with native multi-turn when it is on. */
  planOptions(caller: string | null): PlanOptions {
    return { caller, reuse: this.tokens.conversationReuse };
  }

  /**
   * Starts the answer: on the chat it continues when it can, else (or without one) in a new chat.
   * `leaseWaitMs` bounds the wait for an account of the new chat (`AccountFailoverService.start`).
   */
  async start(
    plan: ChatPlan,
    fresh: CompletionRequest,
    { accounts, caller, client }: RequestCredentials,
    signal: AbortSignal,
    leaseWaitMs?: number,
  ): Promise<ThreadStart> {
    const continues = plan.thread?.continues;
    if (continues) {
      const turn = await this.store.find(continues.key);
      if (turn && mayContinue(turn, accounts, caller)) {
        const files = fresh.files ?? [];
        const request = {
          ...fresh,
          files: files.slice(files.length - continues.attachmentCount),
          prompt: continues.prompt,
          sessionId: turn.sessionId,
          parentMessageId: turn.messageId,
        };
        const ownerWait = AbortSignal.any([signal, AbortSignal.timeout(this.tokens.conversationOwnerWaitMs)]);
        try {
          const started = await this.failover.start(request, accounts, turn.accountId, ownerWait, client);
          this.metrics?.conversationTurn('continued');
          return { ...started, request };
        } catch (error) {
          if (signal.aborted) throw abortReason(signal);
          const why =
            error instanceof UpstreamError ? error.kind : ownerWait.aborted ? 'owner busy' : 'owner unavailable';
          this.logger.log(
            `conversation: the account holding it cannot serve (${why}); a new chat with the whole history`,
          );
          this.metrics?.conversationTurn('fallback');
        }
      }
      checkNewSessionPrompt(plan, this.config);
    }
    const started = await this.failover.start(fresh, accounts, undefined, signal, client, leaseWaitMs);
    if (plan.thread) this.metrics?.conversationTurn('new');
    return { ...started, request: fresh };
  }

  /** Records where the exchange ending with our answer lives, for the next turn. */
  remember(key: string, turn: ConversationTurn): void {
    void this.store.remember(key, turn);
  }

  /** An answer ran in this chat (new or continued): its clean-up clock starts again. */
  used(sessionId: string, accountId: string): void {
    this.janitor.used(sessionId, accountId);
  }
}

/** The caller that started it (managed mode), or a request holding the owner account's token. */
function mayContinue(turn: ConversationTurn, accounts: RequestCredentials['accounts'], caller: string | null): boolean {
  return caller !== null ? turn.caller === caller : accounts.some((account) => account.id === turn.accountId);
}
