import { randomBytes } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 24;
/** Bytes at or above this would bias the alphabet (256 is not a multiple of 62): they are skipped. */
const UNBIASED_LIMIT = 256 - (256 % ALPHANUMERIC.length);

/** `length` characters of [A-Za-z0-9] from the system CSPRNG, uniformly distributed. */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** An OpenAI tool call id, fresh per call of every response. */
export function newCallId(): string {
  return `call_${randomAlphanumeric(ID_LENGTH)}`;
}

/** An Anthropic `tool_use` id. */
export function newToolUseId(): string {
  return `toolu_${randomAlphanumeric(ID_LENGTH)}`;
}

export const CALL_ID_PATTERN = /^call_[A-Za-z0-9]{24}$/;
export const TOOL_USE_ID_PATTERN = /^toolu_[A-Za-z0-9]{24}$/;
