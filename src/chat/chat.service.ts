import { AttachmentResolver } from '../attachments/attachment-resolver.service';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { identity, lastValueFrom, Observable } from 'rxjs';
import { ApiError } from '../common/errors/api-error';
import { toApiError } from '../common/errors/to-api-error';
import { MetricsService } from '../common/metrics/metrics.service';
import type { SseStream } from '../common/sse/sse-response.service';
import { appConfig, type AppConfig } from '../config/app.config';
import { upstreamConfig, type UpstreamConfig } from '../config/upstream.config';
import { OfficialApiService } from '../official-api/official-api.service';
import type { ModelType } from '../deepseek/deepseek.client';
import type { Account } from '../tokens/pool/account';
import type { RequestCredentials } from '../tokens/auth/request-credentials.decorator';
import { ModelCapabilitiesService } from '../tokens/pool/model-capabilities.service';
import { type ConversationOwner, SessionOwnerStore } from '../tokens/sessions/session-owner.store';
import { AccountFailoverService, modelUnavailableError } from './account-failover.service';
import { type AnswerObservers, answerObservers } from './answer-observers';
import { answerFrames } from './answer-frames';
import { AnswerTurns } from './answer-turns';
import { ConversationThreadsService } from './continuation/conversation-threads.service';
import { rememberAnswer } from './continuation/remember-answer';
import type { ChatCall } from './chat-call.decorator';
import { buildChatPlan, type ChatPlan } from './chat-plan';
import { type RequestTrace, traceAnswer, traceStage } from './chat-trace';
import type { ChatCompletionRequest } from './dto/chat-completion-request';
import type { ChatEvent } from './events/chat-event';
import type { StageFactory } from './events/stage-operator';
import { foldReasoning } from './events/fold-reasoning';
import { toChatEvents } from './events/to-chat-events';
import { fallbackReason, routeOf } from './upstream-route';
import type { AnswerRef, WireEncoderFactory } from './wire-encoder';

/** An answer whose upstream accepted the message: what it is and its events, lease held until they end. */
interface OpenedChat {
  answer: AnswerRef;
  events: Observable<ChatEvent>;
  /** Backpressure: stop and restart reading the upstream while our client does not read. */
  pause: () => void;
  resume: () => void;
}

@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);
  private readonly observers: AnswerObservers;

  constructor(
    private readonly failover: AccountFailoverService,
    private readonly threads: ConversationThreadsService,
    private readonly owners: SessionOwnerStore,
    private readonly capabilities: ModelCapabilitiesService,
    private readonly attachments: AttachmentResolver,
    private readonly officialApi: OfficialApiService,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    @Inject(upstreamConfig.KEY) private readonly upstream: UpstreamConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.observers = answerObservers(this.logger, metrics);
  }

  /**
   * Pre-flight (account, upstream handshake) then the whole answer as one body in `encoder`'s format.
   * Any API's adapter calls this (and `stream`) with its own encoder: the pipeline is the same.
   */
  async complete<Body>(
    request: ChatCompletionRequest,
    credentials: RequestCredentials,
    call: ChatCall,
    encoder: WireEncoderFactory<Body>,
  ): Promise<Body> {
    const plan = this.plan(request, credentials, call.trace);
    // The aggregate folds reasoning itself, so that a content filter's template can replace the answer alone.
    const chat = await this.open(request, { ...plan, fold: false }, credentials, call);
    return lastValueFrom(chat.events.pipe(encoder(plan).body(chat.answer)));
  }

  /**
   * Starts the pre-flight (`started` settles with it), then the encoder's SSE frames, with the upstream's
   * brake. A failure once the frames are read, pre-flight included, is the encoder's error frame.
   */
  stream(
    request: ChatCompletionRequest,
    credentials: RequestCredentials,
    call: ChatCall,
    encoderFor: WireEncoderFactory<unknown>,
  ): SseStream {
    const plan = this.plan(request, credentials, call.trace);
    const encoder = encoderFor(plan);
    let opened: OpenedChat | undefined;
    const opening = this.open(request, plan, credentials, call).then((chat) => (opened = chat));
    return {
      started: opening,
      frames: answerFrames({
        preamble: encoder.preamble?.bind(encoder),
        opening,
        frames: ({ answer, events }) => events.pipe(encoder.frames(answer)),
        errorFrame: (error) => encoder.errorFrame(toApiError(error, call.origin)),
      }),
      pause: () => opened?.pause(),
      resume: () => opened?.resume(),
      keepAliveFrame: encoder.keepAliveFrame?.bind(encoder),
    };
  }

  private plan(request: ChatCompletionRequest, credentials: RequestCredentials, trace: RequestTrace): ChatPlan {
    const plan = buildChatPlan(request, this.config, this.threads.planOptions(credentials.caller));
    trace.planned(plan);
    return plan;
  }

  /**
   * Starts the answer on the upstream the mode routes it to (UPSTREAM_MODE); throws before any byte is
   * sent. With `web-then-api`, a request no web account can take within FALLBACK_AFTER_MS (or none can
   * take at all: muted, banned, rejected, at quota) goes to the official API.
   */
  private async open(
    request: ChatCompletionRequest,
    plan: ChatPlan,
    credentials: RequestCredentials,
    call: ChatCall,
  ): Promise<OpenedChat> {
    const route = routeOf(this.upstream.mode, plan);
    if (route === 'api') return this.openOfficial(request, plan, call);
    if (route === 'web') return this.openWeb(plan, credentials, call);
    try {
      return await this.openWeb(plan, credentials, call, this.upstream.api.fallbackAfterMs);
    } catch (error) {
      const reason = fallbackReason(error);
      if (reason === null || call.signal.aborted) throw error;
      this.logger.log(`web accounts cannot serve (${reason}); the official API answers`);
      this.metrics?.upstreamFallback(reason);
      call.trace.fallbackReason = reason;
      return this.openOfficial(request, plan, call);
    }
  }

  /** The official API answers natively: its own tool calls, JSON mode, stop and limits, no emulation stage. */
  private async openOfficial(
    request: ChatCompletionRequest,
    plan: ChatPlan,
    { signal, trace }: ChatCall,
  ): Promise<OpenedChat> {
    const answer = await this.officialApi.open(request, plan, plan.promptTokens, signal);
    trace.upstream = 'api';
    trace.answerStarted(`key:${answer.keyId}`);
    if (answer.model.fellBack) trace.modelFallback = 'expert->default';
    this.metrics?.upstreamAnswer('api');
    return {
      // The API's answer has an id of its own, but no web chat to continue: clients get a fresh id.
      answer: { model: plan.model, sessionId: '', responseMessageId: null },
      events: answer.events.pipe(plan.fold ? foldReasoning() : identity, traceAnswer(trace)),
      pause: answer.pause,
      resume: answer.resume,
    };
  }

  /** Leases a web account and starts the upstream answer; `leaseWaitMs` bounds the wait for an account. */
  private async openWeb(
    plan: ChatPlan,
    credentials: RequestCredentials,
    { signal, trace }: ChatCall,
    leaseWaitMs?: number,
  ): Promise<OpenedChat> {
    const { accounts, caller, client } = credentials;
    if (plan.droppedPartTypes.length > 0) {
      // A count, not the client's type strings: those are free text.
      this.logger.log(`dropped ${plan.droppedPartTypes.length} unsupported content part(s)`);
    }
    const continuation = plan.continuation;
    const owner = continuation ? await this.ownerOf(continuation.sessionId, accounts, caller) : undefined;
    const affinity = owner?.accountId;
    const toolsDeclared = plan.toolPromptDigest !== null && owner?.toolPromptDigest === plan.toolPromptDigest;
    const requested = await this.availableModelType(plan.modelType, accounts);
    // Fetched before an account is leased: a slow URL must not hold one.
    const files = plan.attachments.length > 0 ? await this.attachments.resolve(plan.attachments, signal) : undefined;
    const request = {
      files,
      prompt: toolsDeclared && plan.promptForKnownTools !== null ? plan.promptForKnownTools : plan.prompt,
      thinking: plan.thinking,
      search: plan.search,
      modelType: requested,
      sessionId: continuation?.sessionId,
      parentMessageId: continuation?.messageId ?? null,
    };
    const started = continuation
      ? { ...(await this.failover.start(request, accounts, affinity, signal, client)), request }
      : await this.threads.start(plan, request, credentials, signal, leaseWaitMs);
    const { lease, completion, modelType } = started;
    // The lease is held until DeepSeek is done with the account (AnswerTurns says when), not when our
    // client has its answer.
    const turns = new AnswerTurns(
      completion,
      lease,
      (prompt, sessionId, parentMessageId) =>
        this.failover.continueOn(lease, { ...started.request, modelType, prompt, sessionId, parentMessageId }, signal),
      signal,
    );
    // The session's history holds the tools declared now, or those of an earlier turn.
    const toolPromptDigest = plan.toolPromptDigest ?? owner?.toolPromptDigest;
    void this.owners.remember(completion.sessionId, { accountId: lease.account.id, caller, toolPromptDigest });
    this.threads.used(completion.sessionId, lease.account.id);
    trace.upstream = 'web';
    trace.answerStarted(lease.account.id);
    this.metrics?.upstreamAnswer('web');
    if (modelType !== plan.modelType) trace.modelFallback = `${plan.modelType}->${modelType}`;
    const hooks = { followUp: turns.followUp, ...this.observers };
    return {
      answer: { model: plan.model, sessionId: completion.sessionId, responseMessageId: completion.responseMessageId },
      events: turns.events((first) =>
        first.pipe(
          toChatEvents(plan, hooks, [
            ...this.rememberThread(plan, turns, lease.account.id, caller),
            traceStage<ChatEvent>(trace),
          ]),
        ),
      ),
      pause: () => turns.pause(),
      resume: () => turns.resume(),
    };
  }

  /** Records the exchange this answer ends (native multi-turn), with the chat's latest message: the stage, if any. */
  private rememberThread(
    plan: ChatPlan,
    turns: AnswerTurns,
    accountId: string,
    caller: string | null,
  ): StageFactory<ChatEvent, ChatEvent>[] {
    if (!plan.thread) return [];
    const remember = rememberAnswer(plan.thread.fingerprint, (key) => {
      const { sessionId, responseMessageId } = turns.latest();
      if (responseMessageId !== null) {
        this.threads.remember(key, { sessionId, messageId: responseMessageId, accountId, caller });
      }
    });
    return [remember];
  }

  /** The requested mode, or `default` when the accounts are known not to offer it (a 400 with STRICT_MODELS). */
  private async availableModelType(modelType: ModelType, accounts: readonly Account[]): Promise<ModelType> {
    if (await this.capabilities.supports(modelType, accounts)) return modelType;
    if (this.config.strictModels) throw modelUnavailableError(modelType);
    return 'default';
  }

  /**
   * The account that owns a continued session, for the caller that started it: the same API key in managed
   * mode; in the other modes, a request that holds the owner account's token (who can read that account's
   * chats on the web anyway). Anyone else is told the conversation is unknown, exactly as when it is.
   * An unknown one (e.g. after a restart) is only guessable with one account and no API key.
   */
  private async ownerOf(
    sessionId: string,
    accounts: readonly Account[],
    caller: string | null,
  ): Promise<ConversationOwner> {
    const owner = await this.owners.ownerOf(sessionId);
    if (owner) {
      const allowed =
        caller !== null ? owner.caller === caller : accounts.some((account) => account.id === owner.accountId);
      if (allowed) return owner;
    } else if (accounts.length === 1 && caller === null) {
      return { accountId: accounts[0].id, caller: null };
    }
    throw ApiError.notFound(
      'This conversation_id is not known here (the server may have restarted). Send the full history without conversation_id.',
      'conversation_not_found',
      'conversation_id',
    );
  }
}
