import { ApiError } from '../common/errors/api-error';
import {
  OfficialApiError,
  officialApiError,
  officialStatusError,
  type OfficialApiErrorKind,
} from './official-api-error';

describe('officialStatusError', () => {
  it.each([
    [400, 'invalid_request'],
    [401, 'auth'],
    [402, 'insufficient_balance'],
    [422, 'invalid_parameters'],
    [429, 'rate_limited'],
    [500, 'server_error'],
    [503, 'overloaded'],
    [502, 'server_error'],
    [418, 'server_error'],
  ] as const)('should read status %i as %s', (status, kind) => {
    const error = officialStatusError(status, 'what the API said');
    expect(error).toBeInstanceOf(OfficialApiError);
    expect(error.kind).toBe(kind);
    expect(error.upstreamMessage).toBe('what the API said');
  });

  it("should quote the API's message for a refused request or parameters", () => {
    expect(officialStatusError(400, 'bad field').message).toContain(': bad field');
    expect(officialStatusError(422, 'temperature out of range').message).toContain(': temperature out of range');
    expect(officialStatusError(400, undefined).message).not.toContain(':');
  });

  it('should keep the retry-after of a 429, and only of a 429', () => {
    expect(officialStatusError(429, undefined, 7_000).retryAfterMs).toBe(7_000);
    expect(officialStatusError(503, undefined, 7_000).retryAfterMs).toBeUndefined();
    expect(officialStatusError(500, undefined, 7_000).retryAfterMs).toBeUndefined();
  });

  it('should name any other status in its message', () => {
    expect(officialStatusError(504, undefined).message).toContain('504');
  });
});

describe('OfficialApiError.retryable', () => {
  it.each([
    ['invalid_request', false],
    ['invalid_parameters', false],
    ['auth', true],
    ['insufficient_balance', true],
    ['rate_limited', true],
    ['server_error', true],
    ['overloaded', true],
    ['network', true],
    ['timeout', true],
    ['bad_response', true],
    ['incomplete', true],
  ] as const)('should say %s is retryable: %s', (kind, retryable) => {
    expect(new OfficialApiError(kind, 'x').retryable).toBe(retryable);
  });
});

describe('officialApiError', () => {
  const toApi = (kind: OfficialApiErrorKind, retryAfterMs?: number): ApiError =>
    officialApiError(new OfficialApiError(kind, 'The official API said no', undefined, retryAfterMs));

  it('should answer a refused request with a 400 upstream_rejected', () => {
    const error = toApi('invalid_request');
    expect([error.getStatus(), error.code]).toEqual([400, 'upstream_rejected']);
    expect(error.message).toContain('The official API said no');
  });

  it('should answer refused parameters with a 422 invalid_parameters', () => {
    const error = toApi('invalid_parameters');
    expect([error.getStatus(), error.code]).toEqual([422, 'invalid_parameters']);
  });

  it("should answer a rate limit with a 429 retrying after the API's retry-after, in whole seconds", () => {
    expect([toApi('rate_limited', 7_000).getStatus(), toApi('rate_limited', 7_000).retryAfterSec]).toEqual([429, 7]);
    expect(toApi('rate_limited', 2_100).retryAfterSec).toBe(3);
    expect(toApi('rate_limited', 10).retryAfterSec).toBe(1);
    expect(toApi('rate_limited').retryAfterSec).toBe(5);
  });

  it('should answer an overloaded API with a 503 upstream_overloaded marked as overloaded', () => {
    const error = toApi('overloaded');
    expect([error.getStatus(), error.code, error.overloaded]).toEqual([503, 'upstream_overloaded', true]);
    expect(error.retryAfterSec).toBeGreaterThan(0);
  });

  it('should answer a timeout with a 504 upstream_timeout', () => {
    const error = toApi('timeout');
    expect([error.getStatus(), error.code, error.overloaded]).toEqual([504, 'upstream_timeout', false]);
  });

  it.each(['server_error', 'network', 'bad_response', 'incomplete'] as const)(
    'should answer %s with a 502 upstream_error',
    (kind) => {
      const error = toApi(kind);
      expect([error.getStatus(), error.code, error.overloaded]).toEqual([502, 'upstream_error', false]);
      expect(error.message).toContain('The official API said no');
    },
  );

  it.each(['auth', 'insufficient_balance'] as const)('should answer %s with a 503 api_keys_unavailable', (kind) => {
    const error = toApi(kind);
    expect([error.getStatus(), error.code, error.overloaded]).toEqual([503, 'api_keys_unavailable', false]);
    expect(error.retryAfterSec).toBeGreaterThan(0);
  });

  it("should not quote the API's own message in a server failure", () => {
    const error = officialApiError(officialStatusError(500, 'secret request text'));
    expect(error.message).not.toContain('secret request text');
  });
});
