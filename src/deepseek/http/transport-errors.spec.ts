import { UpstreamError } from '../upstream-error';
import { requestError, toUpstreamError, TransportTimeout } from './transport-errors';

const withCode = (code: string) => Object.assign(new Error(`boom ${code}`), { code });

describe('requestError', () => {
  it('should map a failure before the headers to network, naming the code', () => {
    const error = requestError('users/current', withCode('ECONNREFUSED'));

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ kind: 'network', details: { endpoint: 'users/current' } });
    expect(error.message).toBe('users/current: network error (ECONNREFUSED)');
  });

  it('should map our headers timeout to timeout', () => {
    expect(requestError('chat/completion', new TransportTimeout('HEADERS_TIMEOUT'))).toMatchObject({
      kind: 'timeout',
      message: 'chat/completion: the upstream timed out (HEADERS_TIMEOUT)',
    });
  });
});

describe('toUpstreamError', () => {
  it('should map a connection cut during the body to bad_response', () => {
    expect(toUpstreamError('chat/completion', withCode('ECONNRESET'))).toMatchObject({
      kind: 'bad_response',
      message: 'chat/completion: the connection closed before the answer was complete (ECONNRESET)',
    });
  });

  it('should map our idle timeout to timeout', () => {
    expect(toUpstreamError('chat/continue', new TransportTimeout('IDLE_TIMEOUT'))).toMatchObject({ kind: 'timeout' });
  });

  it('should pass an UpstreamError through', () => {
    const error = new UpstreamError('busy', 'x');

    expect(toUpstreamError('chat/completion', error)).toBe(error);
  });
});

describe.each([
  ['requestError', requestError],
  ['toUpstreamError', toUpstreamError],
])('%s after an abort', (_name, map) => {
  it("should give back the caller's own reason", () => {
    const controller = new AbortController();
    const reason = new Error('the caller left');
    controller.abort(reason);

    expect(map('chat/completion', withCode('ECONNRESET'), controller.signal)).toBe(reason);
  });

  it('should give the failure itself when the reason is not an Error', () => {
    const controller = new AbortController();
    controller.abort('gone');
    const failure = withCode('ABORT_ERR');

    expect(map('chat/completion', failure, controller.signal)).toBe(failure);
  });
});
