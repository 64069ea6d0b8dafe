import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { deepSeekHashV1 } from '../../src/deepseek/pow/deepseek-hash';

export const COMPLETION_PATH = '/api/v0/chat/completion';
export const POW_TARGET_PATHS: ReadonlySet<string> = new Set([
  COMPLETION_PATH,
  '/api/v0/file/upload_file',
  '/api/v0/chat/edit_message',
]);
const ALGORITHM = 'DeepSeekHashV1';
const HEADER_KEYS = ['algorithm', 'challenge', 'salt', 'answer', 'signature', 'target_path'] as const;
const PRUNE_EVERY = 1000;

export interface IssuedChallenge {
  algorithm: string;
  challenge: string;
  salt: string;
  signature: string;
  difficulty: number;
  expire_at: number;
  expire_after: number;
  target_path: string;
}

interface StoredChallenge {
  account: string;
  targetPath: string;
  salt: string;
  expireAt: number;
  difficulty: number;
  signature: string;
  used: boolean;
}

export type PowCheck = { ok: true } | { ok: false; code: 40300 | 40301; reason: string };

export interface VerifyOptions {
  account: string;
  targetPath: string;
  /** false on continue unless strictContinuePow: only the header's shape is checked. */
  strict: boolean;
}

/** Issues real DeepSeekHashV1 challenges and verifies `x-ds-pow-response` headers (§10.3). */
export class PowAuthority {
  private readonly secret = randomBytes(32);
  private readonly challenges = new Map<string, StoredChallenge>();
  private issuedSincePrune = 0;
  issued = 0;
  verified = 0;

  issue(account: string, targetPath: string, difficulty: number, expireMs: number): IssuedChallenge {
    const salt = randomBytes(10).toString('hex');
    const expireAt = Date.now() + expireMs;
    const challenge = deepSeekHashV1(`${salt}_${expireAt}_${randomInt(difficulty)}`);
    const signature = this.sign(challenge, salt, expireAt, targetPath, account);
    this.challenges.set(challenge, { account, targetPath, salt, expireAt, difficulty, signature, used: false });
    this.issued++;
    if (++this.issuedSincePrune >= PRUNE_EVERY) this.prune();
    return {
      algorithm: ALGORITHM,
      challenge,
      salt,
      signature,
      difficulty,
      expire_at: expireAt,
      expire_after: expireMs,
      target_path: targetPath,
    };
  }

  verify(header: string | undefined, options: VerifyOptions): PowCheck {
    if (header === undefined || header === '') return { ok: false, code: 40300, reason: 'header missing' };
    const fail = (reason: string): PowCheck => ({ ok: false, code: 40301, reason });
    const decoded = decodeHeader(header);
    if (typeof decoded === 'string') return fail(decoded);
    if (decoded.algorithm !== ALGORITHM) return fail('unknown algorithm');
    if (!options.strict) {
      this.verified++;
      return { ok: true };
    }

    const stored = this.challenges.get(String(decoded.challenge));
    if (!stored) return fail('unknown challenge');
    if (stored.account !== options.account) return fail('challenge issued to another account');
    if (!safeEqual(String(decoded.signature), stored.signature)) return fail('bad signature');
    if (decoded.salt !== stored.salt) return fail('salt does not match the challenge');
    if (decoded.target_path !== options.targetPath || stored.targetPath !== options.targetPath) {
      return fail('target_path does not match the endpoint');
    }
    if (Date.now() > stored.expireAt) return fail('challenge expired');
    if (stored.used) return fail('challenge already used');
    const answer = decoded.answer;
    if (typeof answer !== 'number' || !Number.isInteger(answer) || answer < 0 || answer >= stored.difficulty) {
      return fail('answer out of range');
    }
    const hash = deepSeekHashV1(`${stored.salt}_${stored.expireAt}_${answer}`);
    if (hash !== decoded.challenge) return fail('wrong answer');
    stored.used = true;
    this.verified++;
    return { ok: true };
  }

  reset(): void {
    this.challenges.clear();
    this.issued = 0;
    this.verified = 0;
  }

  private sign(challenge: string, salt: string, expireAt: number, targetPath: string, account: string): string {
    return createHmac('sha256', this.secret)
      .update(`${challenge}|${salt}|${expireAt}|${targetPath}|${account}`)
      .digest('hex');
  }

  private prune(): void {
    this.issuedSincePrune = 0;
    const now = Date.now();
    for (const [key, stored] of this.challenges) if (stored.expireAt < now) this.challenges.delete(key);
  }
}

/** The header's JSON object, or why it is not one. */
function decodeHeader(header: string): Record<string, unknown> | string {
  if (header.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(header)) return 'not standard base64';
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const object = parsed as Record<string, unknown>;
  const missing = HEADER_KEYS.filter((key) => !(key in object));
  return missing.length > 0 ? `missing ${missing.join(', ')}` : object;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
