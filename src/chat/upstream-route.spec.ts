import { ApiError } from '../common/errors/api-error';
import { UpstreamError, type UpstreamErrorKind } from '../deepseek/upstream-error';
import { PoolError, type PoolRefusal } from '../tokens/pool/pool-errors';
import { buildChatPlan, type ChatPlan } from './chat-plan';
import type { RequestLimits } from './dto/chat-completion-request';
import { parseChatCompletionRequest } from './dto/parse-chat-request';
import { fallbackReason, routeOf, WebAccountsBusyError } from './upstream-route';

const limits: RequestLimits = {
  maxMessages: 10,
  maxPromptChars: 10_000,
  attachments: { maxCount: 3, maxFileBytes: 64, maxTotalBytes: 100, allowedTypes: ['image/png'] },
};
const messages = [{ role: 'user', content: 'Hi' }];
const plan = (body: Record<string, unknown>): ChatPlan =>
  buildChatPlan(parseChatCompletionRequest({ model: 'deepseek-chat', messages, ...body }, limits), limits);
const pngUrl = `data:image/png;base64,${Buffer.from('fake png bytes').toString('base64')}`;

const plain = () => plan({});
const searchModel = () => plan({ model: 'deepseek-v4-flash-search' });
const searchOptions = () => plan({ web_search_options: {} });
const continuation = () => plan({ conversation_id: '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@2' });
const image = () =>
  plan({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: pngUrl } },
        ],
      },
    ],
  });

function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('routeOf', () => {
  it('should build the plans it is given as the cases say', () => {
    expect([searchModel().search, searchOptions().search, plain().search]).toEqual([true, true, false]);
    expect(continuation().continuation).not.toBeNull();
    expect(image().attachments).toHaveLength(1);
  });

  describe('web', () => {
    it.each([
      ['a plain request', plain],
      ['a search model', searchModel],
      ['an image', image],
      ['a conversation_id', continuation],
    ])('should serve %s on the web', (_what, build) => {
      expect(routeOf('web', build())).toBe('web');
    });
  });

  describe('api', () => {
    it('should serve a plain request through the API', () => {
      expect(routeOf('api', plain())).toBe('api');
      expect(routeOf('api', plan({ model: 'deepseek-v4-pro-think', max_tokens: 10 }))).toBe('api');
    });

    it.each([
      ['a -search model', searchModel, 'model'],
      ['web_search_options', searchOptions, 'model'],
      ['a conversation_id', continuation, 'conversation_id'],
      ['an image_url part', image, 'messages'],
    ])('should refuse %s with a 400 unsupported_by_upstream naming the field', (_what, build, param) => {
      const error = refusal(() => routeOf('api', build()));
      expect([error.getStatus(), error.code, error.param]).toEqual([400, 'unsupported_by_upstream', param]);
      expect(error.message).toContain('UPSTREAM_MODE=api');
    });
  });

  describe('web-then-api', () => {
    it('should let a plain request fall back to the API', () => {
      expect(routeOf('web-then-api', plain())).toBe('web-then-api');
    });

    it.each([
      ['a -search model', searchModel],
      ['web_search_options', searchOptions],
      ['a conversation_id', continuation],
      ['an image_url part', image],
    ])('should keep %s on the web, without a fallback', (_what, build) => {
      expect(routeOf('web-then-api', build())).toBe('web');
    });
  });
});

describe('fallbackReason', () => {
  it('should name busy web accounts', () => {
    expect(fallbackReason(new WebAccountsBusyError('no account within 2 s'))).toBe('accounts_busy');
  });

  it.each([
    'tokens_rejected',
    'accounts_banned',
    'accounts_muted',
    'accounts_busy',
    'queue_full',
    'session_account_unavailable',
    'lock_store_unavailable',
    'accounts_exhausted',
  ] as PoolRefusal[])('should fall back for the pool refusal %s, by its name', (refusal) => {
    expect(fallbackReason(new PoolError(refusal, 'no'))).toBe(refusal);
  });

  it('should not fall back while the server shuts down', () => {
    expect(fallbackReason(new PoolError('shutting_down', 'bye', 1))).toBeNull();
  });

  it.each([
    'muted',
    'banned',
    'auth',
    'busy',
    'throttled',
    'blocked',
    'client_outdated',
    'network',
    'timeout',
    'pow',
    'bad_response',
    'empty',
  ] as UpstreamErrorKind[])('should fall back for the web failure %s as upstream_%s', (kind) => {
    expect(fallbackReason(new UpstreamError(kind, 'no'))).toBe(`upstream_${kind}`);
  });

  it.each(['content_filter', 'context_length', 'invalid_request'] as UpstreamErrorKind[])(
    "should not fall back for %s, the request's own fault",
    (kind) => {
      expect(fallbackReason(new UpstreamError(kind, 'no'))).toBeNull();
    },
  );

  it.each([
    ['an ApiError', ApiError.badRequest('bad')],
    ['a plain Error', new Error('boom')],
    ['an abort', new DOMException('aborted', 'AbortError')],
    ['a string', 'muted'],
    ['undefined', undefined],
  ])('should not fall back for %s', (_what, error) => {
    expect(fallbackReason(error)).toBeNull();
  });
});
