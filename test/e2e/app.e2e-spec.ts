import request from 'supertest';
import { startTestApp, TestApp } from '../utils/test-app';

describe('the server (e2e)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp({ BODY_LIMIT: '2kb' });
  });
  afterAll(() => server.close());

  it('should answer GET /ping with pong, as the old server did', async () => {
    const res = await request(server.url).get('/ping').expect(200);
    expect(res.text).toBe('pong');
  });

  it('should answer unknown routes with a 404 OpenAI error body', async () => {
    const res = await request(server.url).post('/v1/nothing-here').send({}).expect(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({
      error: {
        message: expect.stringContaining('/v1/nothing-here'),
        type: 'invalid_request_error',
        param: null,
        code: 'unknown_url',
      },
    });
  });

  it('should answer invalid JSON with a 400 OpenAI error', async () => {
    const res = await request(server.url)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer tok-a')
      .set('content-type', 'application/json')
      .send('{"model": ')
      .expect(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json', param: null });
  });

  it('should answer a body over the limit with 413', async () => {
    const res = await request(server.url)
      .post('/v1/chat/completions')
      .set('authorization', 'Bearer tok-a')
      .send({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'x'.repeat(4096) }] })
      .expect(413);
    expect(res.body.error).toMatchObject({ code: 'request_too_large' });
  });

  it('should return the caller x-request-id, or make one', async () => {
    const mine = await request(server.url).get('/healthz').set('x-request-id', 'abc-123').expect(200);
    expect(mine.headers['x-request-id']).toBe('abc-123');
    const made = await request(server.url).get('/healthz').set('x-request-id', 'bad id with spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^req_[0-9a-f]{24}$/);
  });
});
