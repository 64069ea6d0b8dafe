import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function powHeader(input: string): string {
  return execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/pow-header.ts'], {
    cwd: ROOT,
    input,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
}

// A confirmed vector of docs/protocol.md §6.3: this challenge's answer is 42.
const challenge = {
  algorithm: 'DeepSeekHashV1',
  challenge: 'e3f5613008b1680a4673405c42d2631bdead41da5070dac34d7ec385b5c9da5e',
  salt: '0123456789abcdef0123',
  signature: 'sig',
  difficulty: 144000,
  expire_at: 1700000000000,
  expire_after: 300000,
  target_path: '/api/v0/chat/completion',
};

describe('npm run pow-header', () => {
  it('should print the x-ds-pow-response header for a create_pow_challenge answer', () => {
    const envelope = { code: 0, msg: '', data: { biz_code: 0, biz_msg: '', biz_data: { challenge } } };
    const header = powHeader(JSON.stringify(envelope)).trim();
    expect(JSON.parse(Buffer.from(header, 'base64').toString())).toEqual({
      algorithm: 'DeepSeekHashV1',
      challenge: challenge.challenge,
      salt: challenge.salt,
      answer: 42,
      signature: 'sig',
      target_path: '/api/v0/chat/completion',
    });
  });

  it('should refuse input that is not a challenge', () => {
    expect(() => powHeader('{"code":0}')).toThrow();
  });
});
