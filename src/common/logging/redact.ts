const REDACTED = '[redacted]';

const SECRET_NAMES =
  'authorization|proxy-authorization|x-api-key|api[-_]?keys?|cookie|set-cookie|user-?token|access[-_]?token|token|password|secret|deepseek_tokens|deep_seek_chat_authorization|metrics_token';

// `name=value`, `name: value`, `"name":"value"`, `name: 'value'`; the value may be `Bearer x` or a list `a,b`.
// In a JSON line the quotes of a logged string are escaped (`\"token\":\"x\"`), and a value stops at a
// backslash, which may escape the closing quote: the line stays JSON.
const SECRET_FIELD = new RegExp(
  String.raw`(\b(?:${SECRET_NAMES})\b(?:\\?["'])?\s*([:=])(\s*)((?:\\?["'])?))((?:bearer\s+)?[^\s;"'}&\\]+)`,
  'gi',
);
const BEARER = /(\bbearer\s+)(?!\[redacted\])[^\s;"'}&\\]+/gi;

/** A short word of letters only, as prose has after a colon; a credential has digits, symbols or length. */
const PLAIN_WORD = /^[A-Za-z][a-z]{0,15}[.,!?]?$/;

/**
 * `name: word` reads as English ("… without API_KEYS: anyone who can reach …"): a colon and a space
 * before an unquoted plain word. `=`, quotes, `Bearer` or a token-like value mark a secret.
 */
function isProse(separator: string, space: string, quote: string, value: string): boolean {
  return separator === ':' && space !== '' && quote === '' && PLAIN_WORD.test(value);
}

/**
 * Defence in depth for log lines (every line pino writes, see pino-options.ts): masks values that follow credential-like names and `Bearer`. The
 * code never logs secrets on purpose; this catches what slips into an error message.
 */
export function redactSecrets(text: string): string {
  if (!text) return text;
  return text
    .replace(SECRET_FIELD, (match, prefix: string, separator: string, space: string, quote: string, value: string) =>
      isProse(separator, space, quote, value) ? match : `${prefix}${REDACTED}`,
    )
    .replace(BEARER, `$1${REDACTED}`);
}
