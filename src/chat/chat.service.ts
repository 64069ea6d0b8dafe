import { Injectable, Logger } from '@nestjs/common';
import { finalize, lastValueFrom, Observable } from 'rxjs';
import { OpenAiError } from '../common/errors/openai-error';
import { type RequestTrace, traceAnswer } from '../common/logging/request-trace';
import type { Account } from '../tokens/account';
import { SessionOwners } from '../tokens/session-owners';
import { AccountFailover } from './account-failover';
import type { ChatPlan } from './chat-plan';
import type { ChatEvent } from './events/chat-event';
import { toChatEvents } from './events/to-chat-events';
import { toChatCompletion } from './openai/chat-completion-aggregator';
import { completionIdentity } from './openai/openai-chunks';
import { toOpenAiSse } from './openai/openai-sse';
import type { ChatCompletion, CompletionIdentity } from './openai/openai-types';

/** An answer whose upstream accepted the message: its identity and its events, lease held until they end. */
export interface OpenedChat {
  identity: CompletionIdentity;
  events: Observable<ChatEvent>;
}

@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);

  constructor(
    private readonly failover: AccountFailover,
    private readonly owners: SessionOwners,
  ) {}

  /** Pre-flight (account, upstream handshake) then the whole answer as one `chat.completion`. */
  async complete(
    plan: ChatPlan,
    accounts: readonly Account[],
    signal: AbortSignal,
    trace?: RequestTrace,
  ): Promise<ChatCompletion> {
    // The aggregate folds reasoning itself, so that a content filter's template can replace the answer alone.
    const chat = await this.open({ ...plan, fold: false }, accounts, signal, trace);
    return lastValueFrom(chat.events.pipe(toChatCompletion(chat.identity, plan)));
  }

  /** Pre-flight, then SSE frames (`data: …\n\n`) ending with `[DONE]`; an error after this point is the consumer's to frame. */
  async stream(
    plan: ChatPlan,
    accounts: readonly Account[],
    signal: AbortSignal,
    trace?: RequestTrace,
  ): Promise<Observable<string>> {
    const chat = await this.open(plan, accounts, signal, trace);
    return chat.events.pipe(toOpenAiSse(chat.identity, plan.includeUsage));
  }

  /** Leases an account and starts the upstream answer; throws an OpenAiError before any byte is sent. */
  async open(
    plan: ChatPlan,
    accounts: readonly Account[],
    signal: AbortSignal,
    trace?: RequestTrace,
  ): Promise<OpenedChat> {
    if (plan.droppedPartTypes.length > 0) {
      this.logger.log(`dropped unsupported content parts: ${[...new Set(plan.droppedPartTypes)].join(', ')}`);
    }
    const continuation = plan.continuation;
    const affinity = continuation ? await this.ownerOf(continuation.sessionId, accounts) : undefined;
    const { lease, completion } = await this.failover.start(
      {
        prompt: plan.prompt,
        thinking: plan.thinking,
        search: plan.search,
        modelType: plan.modelType,
        sessionId: continuation?.sessionId,
        parentMessageId: continuation?.messageId ?? null,
      },
      accounts,
      affinity,
      signal,
    );
    // The answer may never be consumed (client gone between pre-flight and subscription).
    const release = () => lease.release();
    signal.addEventListener('abort', release, { once: true });
    void this.owners.remember(completion.sessionId, lease.account.id);
    trace?.answerStarted(lease.account.id);
    return {
      identity: completionIdentity(plan.model, completion.sessionId, completion.responseMessageId),
      events: completion.events.pipe(
        toChatEvents(plan),
        traceAnswer(trace),
        finalize(() => {
          signal.removeEventListener('abort', release);
          release();
        }),
      ),
    };
  }

  /** The account that owns a continued session. Unknown (e.g. after a restart) is only guessable with one account. */
  private async ownerOf(sessionId: string, accounts: readonly Account[]): Promise<string> {
    const owner = await this.owners.ownerOf(sessionId);
    if (owner) return owner;
    if (accounts.length === 1) return accounts[0].id;
    throw OpenAiError.badRequest(
      'This conversation_id is not known to this server (it may have restarted). Send the full history without conversation_id.',
      'conversation_id',
      'conversation_not_found',
    );
  }
}
