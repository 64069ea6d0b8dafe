import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { UpstreamError } from '../../deepseek/upstream-error';
import { FakeDeepSeekClient } from '../../../test/utils/fake-deepseek-client';
import { startTokensApp } from '../../../test/utils/tokens/start-tokens-app';
import { TokenPoolService } from '../pool/token-pool.service';

describe('POST /token/check', () => {
  let app: INestApplication;
  let client: FakeDeepSeekClient;

  const check = (body: unknown, headers: Record<string, string> = {}) =>
    request(app.getHttpServer())
      .post('/token/check')
      .set(headers)
      .send(body as object);

  describe('direct mode', () => {
    beforeEach(async () => {
      client = new FakeDeepSeekClient()
        .setToken('tok-live', 'live')
        .setToken('tok-muted', { mutedUntilMs: Date.now() + 3_600_000 })
        .setToken('tok-flaky', new UpstreamError('network', 'connection reset'));
      app = await startTokensApp({ client });
    });
    afterEach(() => app.close());

    it('should answer live: true for a live token', async () => {
      const res = await check({ token: 'tok-live' }).expect(200);
      expect(res.body).toEqual({ live: true });
    });

    it('should answer live: true for a muted account (its token still works)', async () => {
      await check({ token: 'tok-muted' }).expect(200, { live: true });
    });

    it('should answer live: false for a dead token, and the pool should skip that account from then on', async () => {
      await check({ token: 'tok-dead' }).expect(200, { live: false });
      expect(app.get(TokenPoolService).snapshot()).toMatchObject({ invalid: 1 });
    });

    it.each([
      ['no token', {}, 'missing_required_parameter'],
      ['a null token', { token: null }, 'missing_required_parameter'],
      ['a number', { token: 42 }, 'invalid_type'],
      ['an object', { token: { nested: 'tok live' } }, 'invalid_type'],
      ['an empty token', { token: '  ' }, 'invalid_value'],
      ['a token with a space', { token: 'tok live' }, 'invalid_value'],
      ['an overlong token', { token: 'x'.repeat(513) }, 'string_above_max_length'],
    ])('should answer 400 naming token to %s, without calling DeepSeek', async (_name, body, code) => {
      const res = await check(body).expect(400);
      expect(res.body).toEqual({
        error: { message: expect.any(String), type: 'invalid_request_error', param: 'token', code },
      });
      expect(res.body.error.message).toContain('token');
      expect(res.body.error.message).not.toContain('tok live');
      expect(client.checksOf('tok live')).toBe(0);
    });

    it.each([
      ['an array', [{ token: 'tok-live' }]],
      ['a string', 'tok-live'],
    ])('should answer a body that is %s with a 400 naming no field', async (_name, body) => {
      const res = await request(app.getHttpServer())
        .post('/token/check')
        .set('content-type', 'application/json')
        .send(JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: null });
      expect(client.checksOf('tok-live')).toBe(0);
    });

    it('should answer 429 with retry-after to a second check of the same token within 10 minutes', async () => {
      await check({ token: 'tok-live' }).expect(200);
      const res = await check({ token: ' tok-live ' }).expect(429);
      expect(res.body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
      expect(res.body.error.message).not.toContain('tok-live');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(590);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(600);
      expect(client.checksOf('tok-live')).toBe(1);
      await check({ token: 'tok-muted' }).expect(200);
    });

    it('should answer 502 when DeepSeek gives no answer, and let the client ask again at once', async () => {
      const res = await check({ token: 'tok-flaky' }).expect(502);
      expect(res.body.error).toMatchObject({ type: 'server_error', code: 'upstream_error' });
      client.setToken('tok-flaky', 'live');
      await check({ token: 'tok-flaky' }).expect(200, { live: true });
    });
  });

  describe('managed mode', () => {
    beforeEach(async () => {
      client = new FakeDeepSeekClient().setToken('tok-live', 'live');
      app = await startTokensApp({ client, config: { apiKeys: ['key-one'], serverTokens: ['tok-server'] } });
    });
    afterEach(() => app.close());

    it('should require one of API_KEYS', async () => {
      const res = await check({ token: 'tok-live' }).expect(401);
      expect(res.body.error).toMatchObject({ code: 'invalid_api_key' });
      expect(client.checksOf('tok-live')).toBe(0);
      await check({ token: 'tok-live' }, { authorization: 'Bearer key-one' }).expect(200, { live: true });
    });
  });
});
