import { HttpStatus } from '@nestjs/common';
import { OpenAiError } from '../common/errors/openai-error';
import { ShutdownError } from '../common/lifecycle/inflight-registry';
import { UpstreamError } from '../deepseek/upstream-error';
import { isAbortError } from '../common/lifecycle/abort';

/** nginx's "client closed request": nobody reads it, but it keeps a departed client out of the error logs. */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * What a client is told about an upstream failure: OpenAI's shape with the status that fits the kind
 * (docs/api.md §4). The upstream's own words stay in our logs.
 */
export function toOpenAiError(error: unknown): OpenAiError {
  if (error instanceof OpenAiError) return error;
  if (isAbortError(error)) {
    return new OpenAiError(CLIENT_CLOSED_REQUEST, 'The client closed the request.', { code: 'client_closed_request' });
  }
  if (error instanceof ShutdownError) {
    return new OpenAiError(HttpStatus.SERVICE_UNAVAILABLE, error.message, {
      code: 'server_shutting_down',
      retryAfterSec: 1,
    });
  }
  if (!(error instanceof UpstreamError)) {
    return new OpenAiError(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error.', { code: 'internal_error' });
  }
  switch (error.kind) {
    case 'auth':
      return OpenAiError.unauthorized('DeepSeek rejected the account token (expired, logged out or banned).');
    case 'muted': {
      const until = error.details.muteUntilMs;
      const retryAfterSec = until ? Math.max(1, Math.ceil((until - Date.now()) / 1000)) : undefined;
      const when = until ? ` until ${new Date(until).toISOString()}` : '';
      return new OpenAiError(HttpStatus.FORBIDDEN, `The DeepSeek account is muted${when}.`, {
        code: 'account_muted',
        retryAfterSec,
      });
    }
    case 'banned':
      return new OpenAiError(HttpStatus.FORBIDDEN, 'DeepSeek has banned this account.', { code: 'account_banned' });
    case 'client_outdated':
      return new OpenAiError(
        HttpStatus.BAD_GATEWAY,
        "DeepSeek refused this server's client version; the server operator must update DEEPSEEK_CLIENT_VERSION.",
        { code: 'upstream_client_outdated' },
      );
    case 'empty':
      return new OpenAiError(HttpStatus.BAD_GATEWAY, 'DeepSeek produced an empty answer; try again.', {
        code: 'upstream_empty_answer',
        retryAfterSec: 1,
      });
    case 'busy':
      return OpenAiError.rateLimited(
        'The DeepSeek account is already generating an answer; try again shortly.',
        2,
        'account_busy',
      );
    case 'throttled':
      return OpenAiError.rateLimited('DeepSeek is throttling this account (too many messages); try again later.', 10);
    case 'context_length':
      // LangChain recognises a context overflow by these words ("maximum context length"), not by the code.
      return OpenAiError.badRequest(
        "The conversation exceeds DeepSeek's maximum context length; shorten the messages.",
        'messages',
        'context_length_exceeded',
      );
    case 'invalid_request':
      return OpenAiError.badRequest(
        `DeepSeek refused the request: ${error.details.upstreamMessage ?? error.message}.`,
        null,
        'upstream_rejected',
      );
    case 'content_filter':
      return OpenAiError.badRequest('DeepSeek declined to answer (content filter).', 'messages', 'content_filter');
    case 'blocked':
      return new OpenAiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'DeepSeek answered with a block page (WAF/anti-bot): this server\u2019s network path is blocked, not your token.',
        { code: 'upstream_blocked', retryAfterSec: 60 },
      );
    case 'timeout':
      return new OpenAiError(HttpStatus.GATEWAY_TIMEOUT, 'DeepSeek did not answer in time.', {
        code: 'upstream_timeout',
      });
    case 'network':
      return new OpenAiError(HttpStatus.BAD_GATEWAY, 'The connection to DeepSeek failed.', {
        code: 'upstream_unreachable',
      });
    case 'pow':
      return new OpenAiError(HttpStatus.BAD_GATEWAY, 'DeepSeek refused our proof of work.', {
        code: 'upstream_pow_failed',
      });
    case 'bad_response':
      return new OpenAiError(HttpStatus.BAD_GATEWAY, 'DeepSeek sent an unexpected answer.', { code: 'upstream_error' });
  }
}
