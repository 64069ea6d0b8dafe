import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { accountIdOf } from '../../src/tokens/pool/account';
import { chatBody, postChat } from '../utils/chat-http';
import { type Chromium, describeWithChromium, launchChromium } from '../utils/browser/chromium';
import { makeTokens } from '../utils/secrets';
import { type Stack, startStack } from '../utils/stack';

/**
 * The console (public/console/) in a real browser, Debian's Chromium driven by playwright-core, against
 * the real gateway and the fake DeepSeek upstream. Screenshots go to test-output/console/.
 */
const ADMIN_TOKEN = 'admin-secret-browser-4e8a1c93';
const API_KEY = 'sk-client-key-browser-7f3b5d20';
const SHOTS = join(__dirname, '..', '..', 'test-output', 'console');
/** The page polls every 3 s; a refresh is given this long (a slow CI machine included). */
const REFRESH_MS = 20_000;

jest.setTimeout(120_000);

interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions of the page (a CSP violation is a console error). */
  problems: string[];
}

async function openPage(chromium: Chromium, url: string): Promise<WatchedPage> {
  const page = await chromium.context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/** A value of the page's sessionStorage (evaluated in the page: this file has no DOM types). */
const sessionItem = (page: Page, key: string) =>
  page.evaluate<string | null>(`sessionStorage.getItem(${JSON.stringify(key)})`);

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `console-${name}.png`) });

async function signIn(page: Page, token: string): Promise<void> {
  await page.locator('#admin-token').fill(token);
  await page.locator('#login-form button[type=submit]').click();
}

describeWithChromium('the web console in Chromium (e2e)', () => {
  let stack: Stack;
  let chromium: Chromium;
  const [good, muted] = makeTokens('console-pool', 2);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({
      tokens: [good, muted],
      env: { DEEPSEEK_TOKENS: [good, muted].join(','), API_KEYS: API_KEY, ADMIN_TOKEN },
    });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
  });

  it('should load the page, ask for the admin token, then show the status, without a console error', async () => {
    const { page, problems } = await openPage(chromium, `${stack.server.url}/`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#view-status').isVisible()).toBe(false);
    await shot(page, 'login');

    await signIn(page, ADMIN_TOKEN);

    await page.locator(`#accounts tr[data-account="${accountIdOf(good)}"] .state-idle`).waitFor();
    await expect(page.locator('#facts').innerText()).resolves.toContain('managed');
    expect(await page.locator('#accounts tbody tr').count()).toBe(2);
    expect(await page.locator('#chart-requests line.axis').count()).toBe(2);
    // The token stays in the tab's sessionStorage, not in the page.
    expect(await sessionItem(page, 'console.adminToken')).toBe(ADMIN_TOKEN);
    expect(await page.content()).not.toContain(ADMIN_TOKEN);

    await page.locator('#lang').click();
    await expect(page.locator('#tab-status').innerText()).resolves.toBe('状态');
    await page.locator('#lang').click();
    await expect(page.locator('#tab-status').innerText()).resolves.toBe('Status');

    expect(problems).toEqual([]);
    await page.close();
  });

  it('should show an account as muted once the upstream muted it, at its next refresh', async () => {
    const { page, problems } = await openPage(chromium, `${stack.server.url}/console`);
    await signIn(page, ADMIN_TOKEN);
    const mutedRow = page.locator(`#accounts tr[data-account="${accountIdOf(muted)}"]`);
    await mutedRow.locator('.state-idle').waitFor();

    stack.fake.addFault({ fault: 'muted', account: muted, endpoint: 'completion', params: { seconds: 600 } });
    // Least recently used first: of two requests one meets the muted account (and fails over).
    for (let i = 0; i < 2; i++) {
      const res = await postChat(stack.baseURL, chatBody(), { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(res.status).toBe(200);
    }

    await mutedRow.locator('.state-muted').waitFor({ timeout: REFRESH_MS });
    await expect(mutedRow.innerText()).resolves.toContain('muted');
    await page.locator('#error-kinds', { hasText: 'muted: 1' }).waitFor({ timeout: REFRESH_MS });
    expect(await page.locator('#chart-requests rect').count()).toBeGreaterThan(0);
    expect(await page.locator('#chart-ttft circle').count()).toBeGreaterThan(0);
    await shot(page, 'status');

    expect(problems).toEqual([]);
    await page.close();
  });

  it('should stream an answer and its reasoning in the playground, with the timing', async () => {
    const { page, problems } = await openPage(chromium, `${stack.server.url}/`);
    await signIn(page, ADMIN_TOKEN);
    await page.locator('#tabs').waitFor({ state: 'visible' });
    await page.locator('#tab-playground').click();

    await page.locator('#api-key').fill(API_KEY);
    await page.locator('#load-models').click();
    await page.locator('#model option[value="deepseek-v4-flash"]').waitFor({ state: 'attached' });
    await page.locator('#model').selectOption('deepseek-v4-flash');
    await page.locator('#thinking').check();
    await page.locator('#prompt').fill('Hello there');
    await page.locator('#send').click();

    await page.locator('#timing[data-done="true"]').waitFor({ timeout: 30_000 });
    await expect(page.locator('#reasoning').innerText()).resolves.toBe('Let me think about this.');
    await expect(page.locator('#answer').innerText()).resolves.toBe('Hello! How can I help you today?');
    expect(await page.locator('#play-error').isVisible()).toBe(false);
    await expect(page.locator('#timing').innerText()).resolves.toMatch(/time to first token \d+ ms · total \d+ ms/);
    expect(await sessionItem(page, 'console.apiKey')).toBe(API_KEY);
    await shot(page, 'playground');

    expect(problems).toEqual([]);
    await page.close();
  });

  it('should refuse a wrong admin token: the page says so and the status endpoint answers 401', async () => {
    const { page } = await openPage(chromium, `${stack.server.url}/`);
    await signIn(page, 'not-the-admin-token');

    await page.locator('#login-error', { hasText: 'refused this admin token' }).waitFor({ timeout: REFRESH_MS });
    expect(await page.locator('#view-status').isVisible()).toBe(false);
    expect(await page.locator('#accounts tbody tr').count()).toBe(0);
    expect(await sessionItem(page, 'console.adminToken')).toBeNull();
    await shot(page, 'refused');
    await page.close();

    const res = await fetch(`${stack.server.url}/admin/status`, {
      headers: { authorization: 'Bearer not-the-admin-token' },
    });
    expect(res.status).toBe(401);
  });
});

describeWithChromium('the web console without ADMIN_TOKEN, in Chromium (e2e)', () => {
  let stack: Stack;
  let chromium: Chromium;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    stack = await startStack({ tokens: ['tok-a'], env: { DEEPSEEK_TOKENS: 'tok-a' } });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
  });

  it('should show the welcome text and how to enable the console, no status; the status route is a 404', async () => {
    const { page, problems } = await openPage(chromium, `${stack.server.url}/`);

    await expect(page.locator('#welcome').innerText()).resolves.toContain('set ADMIN_TOKEN');
    expect(await page.locator('#view-status, #login, #accounts').count()).toBe(0);
    await shot(page, 'welcome');
    expect(problems).toEqual([]);
    await page.close();

    const res = await fetch(`${stack.server.url}/admin/status`, { headers: { authorization: 'Bearer anything' } });
    expect(res.status).toBe(404);
  });
});

describeWithChromium('the web console with the official API as a second upstream (e2e)', () => {
  let stack: Stack;
  let chromium: Chromium;
  const [webAccount] = makeTokens('console-api-pool', 1);
  const [spent, funded] = ['sk-console-spent-2b7e91', 'sk-console-funded-6c0d38'];

  beforeAll(async () => {
    stack = await startStack({
      tokens: [webAccount],
      officialApi: { keys: [spent, funded], balance: { [spent]: 0 } },
      env: {
        UPSTREAM_MODE: 'web-then-api',
        DEEPSEEK_TOKENS: webAccount,
        DEEPSEEK_API_KEYS: `${spent},${funded}`,
        API_KEYS: API_KEY,
        ADMIN_TOKEN,
      },
    });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
  });

  it('should show a key out of balance (402) among the API keys, and the answers per upstream', async () => {
    stack.fake.addFault({ fault: 'muted', account: webAccount, endpoint: 'completion', params: { seconds: 600 } });
    const res = await postChat(stack.baseURL, chatBody(), { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.headers['x-upstream']).toBe('api');

    const { page, problems } = await openPage(chromium, `${stack.server.url}/`);
    await signIn(page, ADMIN_TOKEN);

    const spentRow = page.locator(`#api-keys tr[data-api-key="${accountIdOf(spent)}"]`);
    await spentRow.locator('.state-no_balance').waitFor({ timeout: REFRESH_MS });
    await expect(spentRow.innerText()).resolves.toContain('insufficient_balance');
    await page.locator(`#api-keys tr[data-api-key="${accountIdOf(funded)}"] .state-ready`).waitFor();
    await expect(page.locator('#facts').innerText()).resolves.toMatch(/web-then-api[\s\S]*0 \/ 1/);
    expect(await page.content()).not.toContain(spent);
    await shot(page, 'api-keys');
    expect(problems).toEqual([]);
    await page.close();
  });
});
