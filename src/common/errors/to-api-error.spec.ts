import { BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { UpstreamError } from '../../deepseek/upstream-error';
import { allBusyError, exhaustedError } from '../../tokens/pool/pool-errors';
import { ClientGoneError } from '../lifecycle/abort';
import { ShutdownError } from '../lifecycle/inflight-registry';
import { ApiError, retryHeadersOf } from './api-error';
import { toOpenAiErrorBody } from './openai-error-body';
import { toApiError } from './to-api-error';

const origin = { id: 'req_1', method: 'POST', path: '/v1/chat/completions' };

/** Status and OpenAI body, as a client reads them. */
const answer = (thrown: unknown) => {
  const error = toApiError(thrown, origin);
  return { status: error.getStatus(), ...toOpenAiErrorBody(error).error };
};

describe('toApiError', () => {
  let logged: jest.SpyInstance;

  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => logged.mockRestore());

  it('should pass our own ApiError through unchanged', () => {
    const error = ApiError.badRequest('no', 'model', 'invalid_value');
    expect(toApiError(error)).toBe(error);
  });

  it.each<[UpstreamError['kind'], number, string, string]>([
    ['auth', 401, 'invalid_request_error', 'invalid_api_key'],
    ['banned', 403, 'permission_error', 'account_banned'],
    ['busy', 429, 'requests', 'account_busy'],
    ['throttled', 429, 'requests', 'rate_limit_exceeded'],
    ['context_length', 400, 'invalid_request_error', 'context_length_exceeded'],
    ['empty', 502, 'server_error', 'upstream_empty_answer'],
    ['blocked', 503, 'server_error', 'upstream_blocked'],
    ['timeout', 504, 'server_error', 'upstream_timeout'],
    ['network', 502, 'server_error', 'upstream_unreachable'],
  ])('should answer an upstream %s failure with %d %s %s', (kind, status, type, code) => {
    expect(answer(new UpstreamError(kind, 'the upstream said something private'))).toMatchObject({
      status,
      type,
      code,
    });
  });

  it('should keep the upstream’s own words out of the answer', () => {
    const { message } = answer(new UpstreamError('bad_response', 'completion: token tok-secret rejected'));
    expect(message).toBe('DeepSeek sent an unexpected answer.');
  });

  it('should give a pool refusal its status, code and retry hint', () => {
    const busy = toApiError(allBusyError([{ kind: 'busy' } as never], 'request', 30_000));
    expect([busy.getStatus(), busy.code, retryHeadersOf(busy)['retry-after']]).toEqual([
      429,
      'rate_limit_exceeded',
      '5',
    ]);
    // Capacity, not the client's rate: Anthropic's clients hear a 529.
    expect(busy.overloaded).toBe(true);
    expect(toApiError(new UpstreamError('busy', 'busy')).overloaded).toBe(true);
    expect(toApiError(new UpstreamError('throttled', 'slow down')).overloaded).toBe(false);
    expect(answer(exhaustedError([{ kind: 'ready' }]))).toMatchObject({ status: 503, code: 'accounts_exhausted' });
  });

  it('should answer a shutdown 503 server_shutting_down, retry after a second', () => {
    const error = toApiError(new ShutdownError());
    expect([error.getStatus(), error.code, retryHeadersOf(error)]).toEqual([
      503,
      'server_shutting_down',
      { 'retry-after': '1', 'retry-after-ms': '1000' },
    ]);
  });

  it('should answer a client that left, or any other abort, 499 client_closed_request without logging it', () => {
    expect(answer(new ClientGoneError())).toMatchObject({ status: 499, code: 'client_closed_request' });
    expect(answer(new DOMException('aborted', 'AbortError'))).toMatchObject({ status: 499 });
    expect(logged).not.toHaveBeenCalled();
  });

  it('should name the unknown URL of a 404 in our words, the path escaped', () => {
    const error = toApiError(new NotFoundException('Cannot GET /a b'), {
      id: 'req_2',
      method: 'GET',
      path: '/a b\nforged',
    });
    expect([error.getStatus(), error.code, error.message]).toEqual([
      404,
      'unknown_url',
      'Unknown request URL: GET /a%20b%0Aforged.',
    ]);
  });

  it('should answer malformed JSON and an oversized body as the body parser reports them', () => {
    expect(answer(new BadRequestException('Unexpected end of JSON input'))).toMatchObject({
      status: 400,
      code: 'invalid_json',
    });
    const tooLarge = Object.assign(new Error('request entity too large'), {
      type: 'entity.too.large',
      status: 413,
      expose: true,
      limit: 1024,
    });
    expect(answer(tooLarge)).toMatchObject({ status: 413, code: 'request_too_large' });
  });

  it('should log an unknown error once as a bug, with the request id, and answer 500 without its message', () => {
    const bug = new TypeError('cannot read properties of undefined (reading "tok-secret")');
    expect(answer(bug)).toEqual({
      status: 500,
      message: 'Internal server error (request id req_1).',
      type: 'server_error',
      param: null,
      code: 'internal_error',
    });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('(request req_1)'), bug.stack);
  });
});
