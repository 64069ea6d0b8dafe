import { AttachmentResolver } from '../../../src/attachments/attachment-resolver.service';
import { RemoteFetcher } from '../../../src/attachments/fetch/remote-fetcher';
import { FileUploadService } from '../../../src/attachments/file-uploads.service';
import { Test } from '@nestjs/testing';
import { AccountFailoverService } from '../../../src/chat/account-failover.service';
import type { ChatCall } from '../../../src/chat/chat-call.decorator';
import { RequestTrace } from '../../../src/chat/chat-trace';
import { upstreamConfig } from '../../../src/config/upstream.config';
import { OfficialApiService } from '../../../src/official-api/official-api.service';
import { ChatService } from '../../../src/chat/chat.service';
import { ConversationThreadsService } from '../../../src/chat/continuation/conversation-threads.service';
import { SessionJanitorService } from '../../../src/chat/continuation/session-janitor.service';
import { CredentialsService } from '../../../src/tokens/auth/credentials.service';
import { ConversationStore } from '../../../src/tokens/sessions/conversation.store';
import { InMemoryConversationStore } from '../../../src/tokens/sessions/in-memory-conversation.store';
import type { ChatCompletionRequest } from '../../../src/chat/dto/chat-completion-request';
import { parseChatCompletionRequest } from '../../../src/chat/dto/parse-chat-request';
import { appConfig, type AppConfig } from '../../../src/config/app.config';
import { securityConfig } from '../../../src/config/security.config';
import { tokensConfig, type TokensConfig } from '../../../src/config/tokens.config';
import { DeepSeekClient } from '../../../src/deepseek/deepseek.client';
import { TokenValidatorService } from '../../../src/tokens/auth/token-validator.service';
import { AccountHealthService } from '../../../src/tokens/pool/account-health.service';
import { AccountLockStore } from '../../../src/tokens/pool/account-lock.store';
import { ModelCapabilitiesService } from '../../../src/tokens/pool/model-capabilities.service';
import { TokenPoolService } from '../../../src/tokens/pool/token-pool.service';
import { InMemorySessionOwnerStore } from '../../../src/tokens/sessions/in-memory-session-owner.store';
import { SessionOwnerStore } from '../../../src/tokens/sessions/session-owner.store';
import { testTokensConfig } from '../tokens/test-tokens-config';
import { RecordingLockStore } from './recording-lock-store';
import { ScriptedDeepSeekClient } from './scripted-deepseek-client';

export interface ChatRig {
  chat: ChatService;
  failover: AccountFailoverService;
  pool: TokenPoolService;
  locks: RecordingLockStore;
  client: ScriptedDeepSeekClient;
  close(): Promise<void>;
}

/** The `app` namespace as the environment of the specs gives it, with `overrides`. */
export function testAppConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...appConfig(), ...overrides };
}

/**
 * ChatService and AccountFailoverService over the real pool (small config, in-memory locks that count their
 * releases) and a scripted DeepSeekClient: everything between the controller and the upstream.
 */
export async function createChatRig(
  options: { tokens?: Partial<TokensConfig>; app?: Partial<AppConfig> } = {},
): Promise<ChatRig> {
  const client = new ScriptedDeepSeekClient();
  const locks = new RecordingLockStore();
  const moduleRef = await Test.createTestingModule({
    providers: [
      ChatService,
      AccountFailoverService,
      AttachmentResolver,
      FileUploadService,
      {
        provide: RemoteFetcher,
        useValue: new RemoteFetcher({
          ...appConfig().attachments,
          maxBytes: 1 << 20,
          maxRedirects: 0,
          timeoutMs: 1_000,
          allowPrivate: false,
        }),
      },
      ConversationThreadsService,
      SessionJanitorService,
      { provide: CredentialsService, useValue: { poolAccounts: [] } },
      { provide: ConversationStore, useClass: InMemoryConversationStore },
      TokenPoolService,
      AccountHealthService,
      TokenValidatorService,
      ModelCapabilitiesService,
      { provide: AccountLockStore, useValue: locks },
      { provide: SessionOwnerStore, useClass: InMemorySessionOwnerStore },
      { provide: DeepSeekClient, useValue: client },
      { provide: tokensConfig.KEY, useValue: testTokensConfig(options.tokens) },
      { provide: securityConfig.KEY, useValue: securityConfig() },
      { provide: appConfig.KEY, useValue: testAppConfig(options.app) },
      { provide: upstreamConfig.KEY, useValue: upstreamConfig() },
      // The web path only: UPSTREAM_MODE is `web` in these specs, so the official API is never asked.
      { provide: OfficialApiService, useValue: {} },
    ],
  }).compile();
  moduleRef.useLogger(false);
  return {
    chat: moduleRef.get(ChatService),
    failover: moduleRef.get(AccountFailoverService),
    pool: moduleRef.get(TokenPoolService),
    locks,
    client,
    close: () => moduleRef.close(),
  };
}

/** A checked chat body, defaults filled in as the request pipe fills them. */
export function chatRequest(body: Record<string, unknown> = {}): ChatCompletionRequest {
  return parseChatCompletionRequest(
    { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }], ...body },
    { maxMessages: 100, maxPromptChars: 100_000 },
  );
}

export function chatCall(signal: AbortSignal = new AbortController().signal): ChatCall {
  return {
    signal,
    trace: new RequestTrace(),
    origin: { id: 'req_spec', method: 'POST', path: '/v1/chat/completions' },
  };
}
