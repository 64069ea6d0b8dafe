import { rawRequest } from '../../utils/http/raw-request';
import { JsonLogCapture } from '../../utils/log-capture';
import { parseExposition, valueOf } from '../../utils/prometheus';
import { eventually } from '../../utils/settle';
import { startTestApp, type TestApp } from '../../utils/test-app';

const CHAT_ROUTE = '/v1/chat/completions';
const TOKEN_CHECK_ROUTE = '/token/check';
const TOKEN = 'tok-refused-Zq8vT3kLmP0sWx7rYb2N';

/** Bodies refused by the body parser, before any route ran: counted and logged under the route they were sent to. */
describe('refused request bodies in the metrics and the access log (e2e)', () => {
  let logs: JsonLogCapture;
  let gateway: TestApp;

  beforeAll(async () => {
    logs = new JsonLogCapture();
    gateway = await startTestApp({ BODY_LIMIT: '2kb' }, { logs });
  });
  afterAll(() => gateway.close());

  const requests = async (labels: Record<string, string>): Promise<number | undefined> => {
    const res = await rawRequest(`${gateway.url}/metrics`);
    return valueOf(parseExposition(res.text), 'deepseek_gateway_http_requests_total', labels);
  };
  const post = (path: string, body: string, id: string, headers: Record<string, string> = {}) =>
    rawRequest(`${gateway.url}${path}`, body, {
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'x-request-id': id,
        ...headers,
      },
    });

  it.each([
    ['a chat body over BODY_LIMIT', CHAT_ROUTE, JSON.stringify({ junk: 'x'.repeat(4096) }), 413, 'refused-1'],
    ['a chat body that is not JSON', CHAT_ROUTE, '{"model": "deepseek-chat",', 400, 'refused-2'],
    ['a token check body over 4 KB', TOKEN_CHECK_ROUTE, JSON.stringify({ token: 'x'.repeat(8192) }), 413, 'refused-3'],
    ['a token check body that is not JSON', TOKEN_CHECK_ROUTE, 'token=abc', 400, 'refused-4'],
  ])('should count %s under its route', async (_what, route, body, status, id) => {
    const res = await post(route, body, id);

    expect(res.status).toBe(status);
    const labels = { route, method: 'POST', status: String(status) };
    expect(await eventually(() => requests(labels))).toBe(1);
    expect(await requests({ route: 'unmatched' })).toBeUndefined();
    expect(await eventually(() => logs.access().find((entry) => entry.request_id === id))).toMatchObject({
      route,
      status,
    });
  });

  it('should count a chat body that is not declared as JSON (415) under its route', async () => {
    const res = await post(CHAT_ROUTE, '{}', 'refused-5', { 'content-type': 'text/plain' });

    expect(res.status).toBe(415);
    expect(await eventually(() => requests({ route: CHAT_ROUTE, status: '415' }))).toBe(1);
  });

  it('should still count a path no route serves as unmatched', async () => {
    const res = await rawRequest(`${gateway.url}/v1/nothing`);

    expect(res.status).toBe(404);
    expect(await eventually(() => requests({ route: 'unmatched', status: '404' }))).toBe(1);
  });

  it('should log no token and no body text', () => {
    expect(logs.text()).not.toContain(TOKEN);
    expect(logs.text()).not.toContain('xxxx');
  });
});
