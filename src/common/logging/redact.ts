const REDACTED = '[redacted]';

// `key: value` / `key=value` for names that carry credentials; the value may be `Bearer x` or a list `a,b`.
const SECRET_FIELD =
  /(\b(?:authorization|proxy-authorization|x-api-key|api[-_]?keys?|cookie|set-cookie|user-?token|access[-_]?token|token|password|secret|deepseek_tokens|deep_seek_chat_authorization|metrics_token)\b["']?\s*[:=]\s*["']?)(?:bearer\s+)?[^\s;"'}&]+/gi;
const BEARER = /(\bbearer\s+)(?!\[redacted\])[^\s;"'}&]+/gi;

/**
 * Defence in depth for log lines: masks values that follow credential-like names and `Bearer`. The
 * code never logs secrets on purpose; this catches what slips into an error message.
 */
export function redactSecrets(text: string): string {
  if (!text) return text;
  return text.replace(SECRET_FIELD, `$1${REDACTED}`).replace(BEARER, `$1${REDACTED}`);
}

/** Strings redacted; the string fields of a plain object too (one level, as the access log writes them). */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    copy[key] = typeof field === 'string' ? redactSecrets(field) : field;
  }
  return copy;
}
