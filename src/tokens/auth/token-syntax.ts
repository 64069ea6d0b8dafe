/**
 * What we accept as a DeepSeek userToken list. Real tokens are ~64 base64-like characters (older
 * ones JWTs of a few hundred), so these bounds only reject absurd input, before any hashing or I/O.
 */
export const MAX_TOKENS_PER_REQUEST = 64;
export const MAX_TOKEN_LENGTH = 512;
/** Printable ASCII without space and comma (the list separator). */
export const TOKEN_PATTERN = /^[\x21-\x2b\x2d-\x7e]+$/;

export type TokenListResult = { ok: true; tokens: string[] } | { ok: false; problem: string };

/** Splits `T1,T2,...`: trims, drops empties and duplicates, then checks the bounds. Never echoes a token. */
export function parseTokenList(raw: string, maxTokens = MAX_TOKENS_PER_REQUEST): TokenListResult {
  const tokens = [
    ...new Set(
      raw
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    ),
  ];
  if (tokens.length === 0) return { ok: false, problem: 'no DeepSeek token was given' };
  if (tokens.length > maxTokens) {
    return { ok: false, problem: `${tokens.length} tokens were given; at most ${maxTokens} are accepted` };
  }
  const index = tokens.findIndex((token) => token.length > MAX_TOKEN_LENGTH);
  if (index >= 0) return { ok: false, problem: `token #${index + 1} is longer than ${MAX_TOKEN_LENGTH} characters` };
  const bad = tokens.findIndex((token) => !TOKEN_PATTERN.test(token));
  if (bad >= 0) {
    return { ok: false, problem: `token #${bad + 1} contains characters other than printable ASCII (or a space)` };
  }
  return { ok: true, tokens };
}
