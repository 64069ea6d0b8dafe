import { redactSecrets } from '../common/logging/redact';
import { JsonLogCapture } from '../../test/utils/log-capture';
import { exposureWarnings, isLoopbackHost } from './startup-warnings.service';

const facts = { host: '0.0.0.0', port: 8000, serverAccountCount: 2 };

describe('exposureWarnings', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20', 'gateway.example.com'])(
    'should warn once about a pass-through relay on HOST %s, saying how to restrict it',
    (host) => {
      const warnings = exposureWarnings({ ...facts, mode: 'direct', host });

      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('anyone who can reach port 8000 can use this server as a relay');
      expect(warnings[0]).toContain('API_KEYS and DEEPSEEK_TOKENS');
      expect(warnings[0]).toContain('HOST=127.0.0.1');
    },
  );

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])(
    'should not warn about pass-through mode on the loopback HOST %s',
    (host) => {
      expect(exposureWarnings({ ...facts, mode: 'direct', host })).toEqual([]);
    },
  );

  it('should keep the open-mode warning, on any HOST', () => {
    for (const host of ['0.0.0.0', '127.0.0.1']) {
      expect(exposureWarnings({ ...facts, mode: 'open', host })).toEqual([
        'DEEPSEEK_TOKENS is set without API_KEYS: anyone who can reach this server uses its 2 account(s). Set API_KEYS to require a key.',
      ]);
    }
  });

  it('should say nothing in managed mode', () => {
    expect(exposureWarnings({ ...facts, mode: 'managed' })).toEqual([]);
  });

  it.each(['direct', 'open'] as const)('should print the %s warning intact through the production logger', (mode) => {
    const [warning] = exposureWarnings({ ...facts, mode });
    const capture = new JsonLogCapture();
    capture.logger().warn(warning, 'Security');
    expect(redactSecrets(warning)).toBe(warning);
    expect(capture.entries()).toEqual([expect.objectContaining({ level: 'warn', context: 'Security', msg: warning })]);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.1', false],
    ['127.example.com', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
