import { ApiError } from './api-error';
import { anthropicStatus, toAnthropicErrorBody } from './anthropic-error-body';

describe('toAnthropicErrorBody', () => {
  it.each<[number, string]>([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [415, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'api_error'],
    [504, 'timeout_error'],
  ])('should give a %i the type %s and keep its status', (status, type) => {
    const error = new ApiError(status, 'Nope.');
    expect(anthropicStatus(error)).toBe(status);
    expect(toAnthropicErrorBody(error, 'req_1')).toEqual({
      type: 'error',
      error: { type, message: 'Nope.' },
      request_id: 'req_1',
    });
  });

  it('should answer an overloaded 429 as 529 overloaded_error', () => {
    const error = new ApiError(429, 'All busy.', { code: 'rate_limit_exceeded', retryAfterSec: 2, overloaded: true });
    expect(anthropicStatus(error)).toBe(529);
    expect(toAnthropicErrorBody(error)).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'All busy.' },
    });
  });
});
