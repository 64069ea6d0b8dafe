import { JsonLogCapture } from '../../utils/log-capture';
import { startStack } from '../../utils/stack';

/** What the boot log says about exposure, as an operator reads it: through the production logger and its redactor. */
describe('startup warnings (e2e)', () => {
  let capture: JsonLogCapture;
  beforeEach(() => (capture = new JsonLogCapture()));

  const warnings = () =>
    capture
      .entries()
      .filter((entry) => entry.level === 'warn' && entry.context === 'Security')
      .map((entry) => entry.msg);

  it('should warn once, intact, that pass-through mode on a public HOST is an open relay', async () => {
    const stack = await startStack({ env: { HOST: '0.0.0.0', PORT: '8000' }, logs: capture });
    await stack.close();

    expect(warnings()).toEqual([
      'Pass-through mode on HOST 0.0.0.0: anyone who can reach port 8000 can use this server as a relay for their own DeepSeek tokens. To restrict it, set API_KEYS and DEEPSEEK_TOKENS (managed mode), or HOST=127.0.0.1 for clients on this machine only.',
    ]);
  });

  it('should print the open-mode warning without masking any word of it', async () => {
    const stack = await startStack({
      tokens: ['tok-warn-a'],
      env: { DEEPSEEK_TOKENS: 'tok-warn-a' },
      logs: capture,
    });
    await stack.close();

    expect(warnings()).toEqual([
      'DEEPSEEK_TOKENS is set without API_KEYS: anyone who can reach this server uses its 1 account(s). Set API_KEYS to require a key.',
    ]);
    expect(capture.text()).not.toContain('tok-warn-a');
  });

  it('should say nothing in pass-through mode on a loopback HOST', async () => {
    const stack = await startStack({ logs: capture });
    await stack.close();

    expect(warnings()).toEqual([]);
  });
});
