import { chatBody, postChat } from '../../utils/chat-http';
import { rawRequest } from '../../utils/http/raw-request';
import { LogCapture } from '../../utils/log-capture';
import { eventually } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

/** Log lines carry counts and our own words; client strings only bounded and on one line. */
describe('client strings in the log (pretty format, e2e)', () => {
  const token = 'tok-logstr-Zq8vT3kLmP0sWx7rYb2N';
  const logs = new LogCapture();
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: [token],
      env: { LOG_FORMAT: 'pretty', DROP_UNSUPPORTED_PARTS: 'true' },
      logger: logs,
    });
  });
  afterAll(() => stack?.close());

  const linesWith = (needle: string) => logs.lines.filter((line) => line.includes(needle));

  it('should note 1,000 made-up content part types in a short line, naming none of them', async () => {
    const parts = Array.from({ length: 1000 }, (_, i) => ({ type: `FORGED-${i}\n[Nest] ${'t'.repeat(60)}` }));
    const messages = [{ role: 'user', content: [{ type: 'text', text: 'Hello' }, ...parts] }];

    const res = await postChat(stack.baseURL, chatBody({ messages }), { tokens: [token] });

    expect(res.status).toBe(200);
    const [note] = await eventually(() => {
      const found = linesWith('unsupported content part');
      return found.length > 0 ? found : undefined;
    });
    expect(note.length).toBeLessThan(200);
    expect(logs.text()).not.toContain('FORGED');
  });

  it('should keep a long path and a model name with a newline bounded, each on one line', async () => {
    const model = 'deepseek-chat\n[Nest] 1  - 01/01/2026, 00:00:00     LOG [Forged] line';
    await postChat(stack.baseURL, chatBody({ model }), {
      tokens: [token],
      headers: { 'x-request-id': 'logstr-model' },
    });
    const longPath = `/v1/${'p'.repeat(12_000)}`;
    const notFound = await rawRequest(`${stack.server.url}${longPath}`, undefined, {
      headers: { 'x-request-id': 'logstr-path' },
    });

    expect(notFound.status).toBe(404);
    expect(notFound.json.error.message.length).toBeLessThan(400);
    for (const id of ['logstr-model', 'logstr-path']) {
      const [line] = await eventually(() => {
        const found = linesWith(`req=${id}`);
        return found.length > 0 ? found : undefined;
      });
      expect(line).not.toContain('\n');
      expect(line.length).toBeLessThan(600);
    }
  });
});
