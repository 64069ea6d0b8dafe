import { accountIdOf } from '../../../src/tokens/pool/account';
import { CONSOLE_CSP } from '../../../src/console/console.controller';
import { chatBody, postChat } from '../../utils/chat-http';
import { LogCapture } from '../../utils/log-capture';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { type Stack, startStack } from '../../utils/stack';

const ADMIN_TOKEN = 'admin-secret-status-8d2f4a61';
const API_KEY = 'sk-client-key-status-2b7e9c03';

const getStatus = (stack: Stack, authorization?: string) =>
  fetch(`${stack.server.url}/admin/status`, { headers: authorization ? { authorization } : {} });

describe('GET /admin/status: what the console shows (e2e, plain fetch)', () => {
  let stack: Stack;
  const logs = new LogCapture();
  const [good, muted] = makeTokens('status-pool', 2);

  beforeAll(async () => {
    stack = await startStack({
      tokens: [good, muted],
      env: { DEEPSEEK_TOKENS: [good, muted].join(','), API_KEYS: API_KEY, ADMIN_TOKEN },
      logger: logs,
    });
  });
  afterAll(async () => {
    await stack?.close();
    expectNoSecrets(logs.text(), [good, muted, ADMIN_TOKEN, API_KEY], 'the gateway log');
  });

  it('should refuse a missing or wrong admin token, and a client API key, with 401', async () => {
    for (const authorization of [undefined, 'Bearer nope', `Bearer ${API_KEY}`]) {
      const res = await getStatus(stack, authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key');
    }
  });

  it('should describe the process, the accounts, the queue and the last hour by minute, without a secret', async () => {
    stack.fake.addFault({ fault: 'muted', account: muted, endpoint: 'completion', params: { seconds: 600 } });
    // Least recently used first: the first request meets one account, the second the other (the muted
    // one fails over to the good one), so both are met and the muted one is muted.
    for (let i = 0; i < 2; i++) {
      const res = await postChat(stack.baseURL, chatBody(), { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(res.status).toBe(200);
    }

    const res = await getStatus(stack, `Bearer ${ADMIN_TOKEN}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expectNoSecrets(text, [good, muted, ADMIN_TOKEN, API_KEY], 'the status');
    const status = JSON.parse(text);

    expect(status).toMatchObject({
      object: 'status',
      mode: 'managed',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      uptime_seconds: expect.any(Number),
      now: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      pool: { idle: 1, muted: 1, waiting: 0, leases: 0 },
      queue: { waiting: 0, waits_last_hour: expect.any(Number) },
      last_hour: { requests: 2, errors: { muted: 1 } },
    });
    expect(status.last_hour.ttft_p50_ms).toEqual(expect.any(Number));
    expect(status.last_hour.ttft_p95_ms).toBeGreaterThanOrEqual(status.last_hour.ttft_p50_ms);
    expect(status.queue.waits_last_hour).toBeGreaterThanOrEqual(2);

    const byId = new Map(status.accounts.map((account: { id: string }) => [account.id, account]));
    expect(byId.get(accountIdOf(good))).toMatchObject({ state: 'idle', generations_last_hour: 2, last_error: null });
    expect(byId.get(accountIdOf(muted))).toMatchObject({
      state: 'muted',
      until: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      last_error: { kind: 'muted' },
    });

    expect(status.minutes).toHaveLength(60);
    const current = status.minutes[59];
    expect(Object.keys(current).sort()).toEqual(
      [
        'start',
        'requests',
        'status_4xx',
        'status_5xx',
        'ttft_p50_ms',
        'ttft_p95_ms',
        'queue_waits',
        'queue_wait_avg_ms',
        'queue_wait_max_ms',
        'errors',
      ].sort(),
    );
    // The two chats may straddle a minute boundary: count over the hour, not in the last bucket alone.
    const sum = (key: 'requests' | 'status_4xx') =>
      status.minutes.reduce((total: number, minute: Record<string, number>) => total + minute[key], 0);
    expect(sum('requests')).toBe(2);
    expect(sum('status_4xx')).toBe(0);
    expect(Date.parse(status.minutes[59].start)).toBeLessThanOrEqual(Date.parse(status.now));
    expect(Date.parse(status.minutes[59].start) - Date.parse(status.minutes[0].start)).toBe(59 * 60_000);
  });

  it('should not count the console, the status polling or the probes as traffic', async () => {
    const requests = async () =>
      ((await (await getStatus(stack, `Bearer ${ADMIN_TOKEN}`)).json()) as { last_hour: { requests: number } })
        .last_hour.requests;
    const before = await requests();
    for (const path of ['/', '/console', '/console/console.js', '/healthz', '/metrics']) {
      expect((await fetch(`${stack.server.url}${path}`)).status).toBe(200);
    }
    expect(await requests()).toBe(before);
  });

  it('should serve the console page and its files with a strict CSP, and no secret in them', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/console', 'text/html'],
      ['/console/console.js', 'text/javascript'],
      ['/console/console.css', 'text/css'],
    ]) {
      const res = await fetch(`${stack.server.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expectNoSecrets(await res.text(), [good, muted, ADMIN_TOKEN, API_KEY], path);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
    const page = await (await fetch(`${stack.server.url}/`)).text();
    expect(page).toContain('<script src="/console/console.js" defer></script>');
    // No inline script: every <script> has a src and no body.
    expect(page.match(/<script[^>]*>[^<]+<\/script>/g)).toBeNull();
  });
});

describe('the console without ADMIN_TOKEN (e2e, plain fetch)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-a'], env: { DEEPSEEK_TOKENS: 'tok-a' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('should serve the welcome text at / with how to enable the console, and no console script', async () => {
    const res = await fetch(`${stack.server.url}/`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<code>ADMIN_TOKEN</code> in the server');
    expect(page).not.toContain('console.js');
    expect((await fetch(`${stack.server.url}/console/console.js`)).status).toBe(404);
  });

  it('should answer 404 at /admin/status, as at /admin/accounts, whatever the credential', async () => {
    for (const path of ['/admin/status', '/admin/accounts']) {
      const res = await fetch(`${stack.server.url}${path}`, { headers: { authorization: 'Bearer anything' } });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
    }
  });
});
