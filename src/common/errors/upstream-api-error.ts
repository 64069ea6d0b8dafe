import { HttpStatus } from '@nestjs/common';
import type { UpstreamError } from '../../deepseek/upstream-error';
import { ApiError } from './api-error';

/**
 * What a client is told about an upstream failure: the status that fits the kind (docs/api.md §4).
 * The upstream's own words stay in our logs.
 */
export function upstreamApiError(error: UpstreamError): ApiError {
  switch (error.kind) {
    case 'auth':
      return ApiError.unauthorized('DeepSeek rejected the account token (expired, logged out or banned).');
    case 'muted': {
      const until = error.details.muteUntilMs;
      const retryAfterSec = until ? Math.max(1, Math.ceil((until - Date.now()) / 1000)) : undefined;
      const when = until ? ` until ${new Date(until).toISOString()}` : '';
      return new ApiError(HttpStatus.FORBIDDEN, `The DeepSeek account is muted${when}.`, {
        code: 'account_muted',
        retryAfterSec,
      });
    }
    case 'banned':
      return new ApiError(HttpStatus.FORBIDDEN, 'DeepSeek has banned this account.', { code: 'account_banned' });
    case 'client_outdated':
      return new ApiError(
        HttpStatus.BAD_GATEWAY,
        "DeepSeek refused this server's client version; the server operator must update DEEPSEEK_CLIENT_VERSION.",
        { code: 'upstream_client_outdated' },
      );
    case 'empty':
      return new ApiError(HttpStatus.BAD_GATEWAY, 'DeepSeek produced an empty answer; try again.', {
        code: 'upstream_empty_answer',
        retryAfterSec: 1,
      });
    case 'busy':
      return new ApiError(
        HttpStatus.TOO_MANY_REQUESTS,
        'The DeepSeek account is already generating an answer; try again shortly.',
        { code: 'account_busy', retryAfterSec: 2, overloaded: true },
      );
    case 'throttled':
      return ApiError.rateLimited('DeepSeek is throttling this account (too many messages); try again later.', 10);
    case 'context_length':
      // LangChain recognises a context overflow by these words ("maximum context length"), not by the code.
      return ApiError.badRequest(
        "The conversation exceeds DeepSeek's maximum context length; shorten the messages.",
        'messages',
        'context_length_exceeded',
      );
    case 'invalid_request':
      return ApiError.badRequest(
        `DeepSeek refused the request: ${error.details.upstreamMessage ?? error.message}.`,
        null,
        'upstream_rejected',
      );
    case 'content_filter':
      return ApiError.badRequest('DeepSeek declined to answer (content filter).', 'messages', 'content_filter');
    case 'blocked':
      return new ApiError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'DeepSeek answered with a block page (WAF/anti-bot): this server\u2019s network path is blocked, not your token.',
        { code: 'upstream_blocked', retryAfterSec: 60 },
      );
    case 'timeout':
      return new ApiError(HttpStatus.GATEWAY_TIMEOUT, 'DeepSeek did not answer in time.', { code: 'upstream_timeout' });
    case 'network':
      return new ApiError(HttpStatus.BAD_GATEWAY, 'The connection to DeepSeek failed.', {
        code: 'upstream_unreachable',
      });
    case 'pow':
      return new ApiError(HttpStatus.BAD_GATEWAY, 'DeepSeek refused our proof of work.', {
        code: 'upstream_pow_failed',
      });
    case 'bad_response':
      return new ApiError(HttpStatus.BAD_GATEWAY, 'DeepSeek sent an unexpected answer.', { code: 'upstream_error' });
  }
}
