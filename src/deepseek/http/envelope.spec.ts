import { UpstreamError } from '../upstream-error';
import { readEnvelope, streamError } from './envelope';

const envelope = (code: number, msg: string, bizCode = 0, bizMsg = '', bizData: unknown = null) =>
  JSON.stringify({ code, msg, data: code === 0 ? { biz_code: bizCode, biz_msg: bizMsg, biz_data: bizData } : null });

const errorOf = (fn: () => unknown): UpstreamError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error('expected an UpstreamError');
};

describe('readEnvelope', () => {
  it('should return biz_data of a successful envelope', () => {
    expect(readEnvelope('x', 200, envelope(0, '', 0, '', { id: 'abc' }))).toEqual({ id: 'abc' });
  });

  it('should return data itself for the pre-2025-04 shape without biz_data', () => {
    expect(readEnvelope('users/current', 200, JSON.stringify({ code: 0, msg: '', data: { token: 't' } }))).toEqual({
      token: 't',
    });
  });

  it.each([
    [envelope(40003, 'Authorization Failed (invalid token)'), 200, 'auth'],
    [envelope(40001, 'x'), 401, 'auth'],
    [envelope(40029, 'Messages too frequent. Try again later.'), 200, 'throttled'],
    [envelope(0, '', 0, '', {}), 429, 'throttled'],
    [envelope(40300, 'MISSING_HEADER'), 200, 'pow'],
    [envelope(40301, 'INVALID_POW_RESPONSE'), 200, 'pow'],
    [envelope(0, '', 5, 'user is muted', { is_muted: 1, mute_until: 1764300000.5 }), 200, 'muted'],
    [envelope(0, '', 1, 'A message is being generated, please try again later.'), 200, 'busy'],
    [envelope(0, '', 1, 'invalid chat session id'), 200, 'invalid_request'],
    [envelope(0, '', 26, 'invalid message id'), 200, 'invalid_request'],
    [envelope(0, '', 9, 'invalid ref file id'), 200, 'invalid_request'],
    [envelope(50000, 'boom'), 200, 'bad_response'],
    [envelope(40005, 'CLIENT_VERSION_TOO_LOW'), 200, 'client_outdated'],
    [envelope(0, '', 10, 'USER_IS_BANNED'), 200, 'banned'],
    [envelope(0, '', 14, '由于违规次数过多，你的账户已被临时停用'), 200, 'muted'],
    ['<html>nope</html>', 200, 'bad_response'],
    [JSON.stringify({ detail: [{ loc: ['body'], msg: 'field required' }] }), 422, 'bad_response'],
  ])('should classify %s (HTTP %d) as %s', (body, status, kind) => {
    expect(errorOf(() => readEnvelope('chat/completion', status, body)).kind).toBe(kind);
  });

  it('should carry the mute end in milliseconds', () => {
    const error = errorOf(() =>
      readEnvelope('x', 200, envelope(0, '', 5, 'user is muted', { is_muted: 1, mute_until: 1764300000.5 })),
    );
    expect(error.details.muteUntilMs).toBe(1764300000500);
  });

  it('should keep the upstream message for operators', () => {
    const error = errorOf(() => readEnvelope('chat/completion', 200, envelope(0, '', 26, 'invalid message id')));
    expect(error.details).toMatchObject({
      endpoint: 'chat/completion',
      bizCode: 26,
      upstreamMessage: 'invalid message id',
    });
  });
});

describe('streamError', () => {
  it.each([
    ['A message is being generated, please try again later.', undefined, 'busy'],
    ['Messages too frequent. Try again later.', undefined, 'throttled'],
    ['消息发送过于频繁，请稍后重试', undefined, 'throttled'],
    ['whatever', 'rate_limit_reached', 'throttled'],
    ['Content is too long. Please shorten it and try again.', 'input_exceeds_limit', 'context_length'],
    ['Something else', undefined, 'bad_response'],
  ])('should classify %j (%s) as %s', (message, finishReason, kind) => {
    expect(streamError('completion', message, finishReason).kind).toBe(kind);
  });
});

describe('2026 refusals', () => {
  it('should read the suspension as a mute without an end, flagged as a suspension', () => {
    const error = errorOf(() =>
      readEnvelope('completion', 200, envelope(0, '', 14, '由于违规次数过多，你的账户已被临时停用')),
    );
    expect(error).toMatchObject({ kind: 'muted', details: { suspended: true } });
    expect(error.details.muteUntilMs).toBeUndefined();
  });

  it('should read the suspension and the ban in the stream too', () => {
    expect(streamError('completion', '由于违规次数过多，你的账户已被临时停用')).toMatchObject({
      kind: 'muted',
      details: { suspended: true },
    });
    expect(streamError('completion', 'USER_IS_BANNED').kind).toBe('banned');
  });
});
