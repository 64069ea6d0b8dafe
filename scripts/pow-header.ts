/**
 * Solves a DeepSeek PoW challenge and prints the `x-ds-pow-response` header value, so the fake
 * upstream (or anything speaking the protocol) can be driven by hand:
 *
 *   curl -s -X POST $URL/api/v0/chat/create_pow_challenge -H 'authorization: Bearer a' \
 *     -H 'content-type: application/json' -d '{"target_path":"/api/v0/chat/completion"}' | npm run -s pow-header
 *
 * Reads the `create_pow_challenge` answer (the whole envelope, or just its `challenge` object) from
 * stdin or from the first argument.
 */
import { readFileSync } from 'node:fs';
import type { PowChallenge } from '../src/deepseek/pow/pow-challenge';
import { createPowSearch, resolvePowEngine } from '../src/deepseek/pow/pow-engine';
import { encodePowResponse } from '../src/deepseek/pow/pow-response';

type RawChallenge = Record<string, unknown>;

function challengeOf(input: string): PowChallenge {
  const parsed = JSON.parse(input) as { data?: { biz_data?: { challenge?: RawChallenge } }; challenge?: unknown };
  const raw = (parsed.data?.biz_data?.challenge ?? parsed) as RawChallenge;
  const text = (key: string): string => {
    if (typeof raw[key] !== 'string') throw new Error(`the challenge has no string "${key}"`);
    return raw[key];
  };
  const number = (key: string): number => {
    if (typeof raw[key] !== 'number') throw new Error(`the challenge has no number "${key}"`);
    return raw[key];
  };
  return {
    algorithm: text('algorithm'),
    challenge: text('challenge'),
    salt: text('salt'),
    signature: text('signature'),
    difficulty: number('difficulty'),
    expireAt: number('expire_at'),
    targetPath: text('target_path'),
  };
}

function main(): void {
  const input = process.argv[2] ?? readFileSync(0, 'utf8');
  const challenge = challengeOf(input);
  const answer = createPowSearch(challenge, resolvePowEngine()).scan(0, challenge.difficulty);
  if (answer < 0) throw new Error('this challenge has no answer below its difficulty');
  process.stdout.write(`${encodePowResponse(challenge, answer)}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`pow-header: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
