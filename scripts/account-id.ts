/**
 * Prints the id that logs, metrics and `GET /admin/accounts` use for a DeepSeek token, so an operator can
 * tell which of their tokens is which. The token may come on standard input to keep it out of shell history:
 *
 *   npm run -s account-id -- <token>
 *   printf '%s' "$TOKEN" | npm run -s account-id
 */
import { accountIdOf } from '../src/tokens/pool/account';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  const given = process.argv.slice(2).join(',');
  const raw = given || (process.stdin.isTTY ? '' : await readStdin());
  const tokens = raw
    .split(/[\s,]+/)
    .map((token) => token.trim())
    .filter(Boolean);
  if (tokens.length === 0) {
    console.error('usage: npm run -s account-id -- <token>[,<token>…]   (or the token(s) on standard input)');
    process.exit(2);
  }
  for (const token of tokens) console.log(accountIdOf(token));
}

void main();
