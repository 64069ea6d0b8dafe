import { type AccessEntry, formatAccessLine } from './access-log.middleware';

const entry: AccessEntry = {
  request_id: 'req_1',
  method: 'POST',
  route: '/v1/chat/completions',
  path: '/v1/chat/completions',
  status: 200,
  duration_ms: 812,
};

describe('formatAccessLine', () => {
  it('should write the fields a chat request has, in a fixed order', () => {
    const line = formatAccessLine({
      ...entry,
      model: 'deepseek-chat',
      stream: true,
      account: '0a1b2c3d4e5f',
      ttfb_ms: 300,
      prompt_tokens: 12,
      completion_tokens: 34,
      total_tokens: 46,
      upstream_error: 'bad_response',
      client_closed: true,
    });
    expect(line).toBe(
      'POST /v1/chat/completions 200 812ms req=req_1 model=deepseek-chat stream=true account=0a1b2c3d4e5f ttfb=300ms tokens=12/34 upstream_error=bad_response client_closed',
    );
  });

  it('should keep a client-chosen model name on one line and in one field', () => {
    const line = formatAccessLine({ ...entry, model: 'evil\n[Nest] fake line x' });
    expect(line).toBe('POST /v1/chat/completions 200 812ms req=req_1 model=evil%0A[Nest]%20fake%20line%20x');
  });
});
