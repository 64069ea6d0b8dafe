import { rawRequest } from '../utils/http/raw-request';
import { startTestApp, TestApp } from '../utils/test-app';

describe('the server (e2e)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp({ BODY_LIMIT: '2kb' });
  });
  afterAll(() => server.close());

  it('should answer GET /ping with pong, as the old server did', async () => {
    const res = await rawRequest(`${server.url}/ping`);
    expect([res.status, res.text]).toEqual([200, 'pong']);
  });

  it('should answer unknown routes with a 404 OpenAI error body', async () => {
    const res = await rawRequest(`${server.url}/v1/nothing-here`, {});
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json).toEqual({
      error: {
        message: expect.stringContaining('/v1/nothing-here'),
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_url',
      },
    });
  });

  it('should answer invalid JSON with a 400 OpenAI error', async () => {
    const res = await rawRequest(`${server.url}/v1/chat/completions`, '{"model": ', {
      tokens: ['tok-a'],
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json', param: null });
  });

  it('should answer a body over the limit with 413', async () => {
    const res = await rawRequest(
      `${server.url}/v1/chat/completions`,
      { model: 'deepseek-chat', messages: [{ role: 'user', content: 'x'.repeat(4096) }] },
      { tokens: ['tok-a'] },
    );
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 'request_too_large' });
  });

  it('should return the caller x-request-id, or make one', async () => {
    const healthz = (id: string) => rawRequest(`${server.url}/healthz`, undefined, { headers: { 'x-request-id': id } });
    const mine = await healthz('abc-123');
    expect([mine.status, mine.headers['x-request-id']]).toEqual([200, 'abc-123']);
    const made = await healthz('bad id with spaces');
    expect(made.status).toBe(200);
    expect(made.headers['x-request-id']).toMatch(/^req_[0-9a-f]{24}$/);
  });
});
