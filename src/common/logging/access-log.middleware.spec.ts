import type { Request, Response } from 'express';
import { type AccessEntry, accessEntry, formatAccessLine } from './access-log.middleware';
import { MAX_LOGGED_PATH_LENGTH } from './client-text';
import { RequestTrace } from '../../chat/chat-trace';

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

  it('should log a clipped path and model, and keep both on one line in the pretty format', () => {
    const req = { method: 'GET', path: `/v1/${'a\nb'.repeat(10_000)}`, baseUrl: '' } as unknown as Request;
    const trace = new RequestTrace();
    trace.model = `evil\n${'m'.repeat(100_000)}`;
    const res = {
      writableFinished: true,
      headersSent: true,
      statusCode: 404,
      locals: { trace },
    } as unknown as Response;

    const logged = accessEntry(req, res, 0, 5);
    const line = formatAccessLine(logged);

    expect(logged.path).toHaveLength(MAX_LOGGED_PATH_LENGTH + 1);
    expect(logged.model!.length).toBeLessThanOrEqual(101);
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThan(1_200);
  });
});
