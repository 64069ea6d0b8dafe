import { plainToInstance, Transform } from 'class-transformer';
import { IsOptional, IsString, validateSync } from 'class-validator';
import { parseTokenList } from '../tokens/auth/token-syntax';
import { parseApiKeys } from './api-keys';
import { parseModelAliases } from './model-aliases';
import { parseByteSize, parseCorsOrigins, parseHostList, parseTrustProxy } from './security-syntax';
import { HttpUrl, OneOf, ParsesWith, WholeNumber } from './setting-rules';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'info', 'debug', 'verbose'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
/** `web`: DeepSeek web accounts only; `api`: the official API only; `web-then-api`: the API when no account can serve. */
export const UPSTREAM_MODES = ['web', 'api', 'web-then-api'] as const;

/** Never quoted back in a message: credentials, and a URL that may carry one. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  'DEEPSEEK_TOKENS',
  'DEEP_SEEK_CHAT_AUTHORIZATION',
  'API_KEYS',
  'ADMIN_TOKEN',
  'METRICS_TOKEN',
  'REDIS_URL',
  'DEEPSEEK_API_KEYS',
]);
/** What a message quotes of a bad value. */
const MAX_QUOTED_LENGTH = 100;

const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;
const toInt = ({ value }: { value: unknown }) => {
  const text = blankToUndefined({ value });
  return typeof text === 'string' && /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
};

/**
 * Every environment variable the server reads, validated once. A bad value stops the boot with a
 * message naming the variable. Services never read `process.env`; they inject the typed namespaces.
 */
export class EnvironmentVariables {
  @Transform(toInt) @IsOptional() @WholeNumber(0, 65535) PORT?: number;
  @Transform(blankToUndefined) @IsOptional() @IsString() HOST?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @HttpUrl()
  DEEPSEEK_BASE_URL?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_TOKENS?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEP_SEEK_CHAT_AUTHORIZATION?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() API_KEYS?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_USER_AGENT?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_CLIENT_VERSION?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_APP_VERSION?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_CLIENT_LOCALE?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(-86400, 86400) DEEPSEEK_CLIENT_TIMEZONE_OFFSET?: number;

  // The official API as a second upstream (upstream.config.ts, docs/configuration.md).
  @Transform(blankToUndefined) @IsOptional() @OneOf(UPSTREAM_MODES) UPSTREAM_MODE?: string;
  @Transform(blankToUndefined) @IsOptional() @HttpUrl() DEEPSEEK_API_BASE_URL?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_API_KEYS?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(1, 1000) DEEPSEEK_API_CONCURRENCY?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) FALLBACK_AFTER_MS?: number;

  @Transform(toInt) @IsOptional() @WholeNumber(1, 64) ACCOUNT_MAX_INFLIGHT?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) ACCOUNT_MAX_PER_HOUR?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) ACCOUNT_MIN_INTERVAL_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) QUEUE_TIMEOUT_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) QUEUE_MAX_LENGTH?: number;
  @Transform(blankToUndefined) @IsOptional() @OneOf(['on', 'off']) CONVERSATION_REUSE?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(1) CONVERSATION_TTL_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(1) CONVERSATION_MAX_ENTRIES?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) CONVERSATION_OWNER_WAIT_MS?: number;
  @Transform(blankToUndefined) @IsOptional() @OneOf(['keep', 'delete-after']) SESSION_CLEANUP?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(1) UPSTREAM_TIMEOUT_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(1) UPSTREAM_FIRST_BYTE_TIMEOUT_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0, 64) MAX_CONTINUE_ROUNDS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) UPSTREAM_CLOSE_GRACE_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(1, 64) POW_WORKERS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(1) KEEPALIVE_INTERVAL_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0, 1000) STREAM_COALESCE_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) CLIENT_WRITE_TIMEOUT_MS?: number;

  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseByteSize, 'a size in bytes such as 8388608, 512kb or 20mb')
  BODY_LIMIT?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(1) MAX_MESSAGES?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(1) MAX_PROMPT_CHARS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) SHUTDOWN_GRACE_MS?: number;

  @Transform(blankToUndefined) @IsOptional() @OneOf(['true', 'false']) STRICT_MODELS?: string;
  @Transform(blankToUndefined) @IsOptional() @OneOf(['true', 'false']) DROP_UNSUPPORTED_PARTS?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(0) RESPONSES_STORE_MAX_ENTRIES?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0, 100) ATTACHMENT_MAX_COUNT?: number;
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseByteSize, 'a size in bytes such as 8388608, 512kb or 20mb')
  ATTACHMENT_MAX_BYTES?: string;
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseByteSize, 'a size in bytes such as 8388608, 512kb or 20mb')
  ATTACHMENT_MAX_TOTAL_BYTES?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() ATTACHMENT_TYPES?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(1) FETCH_TIMEOUT_MS?: number;
  @Transform(blankToUndefined) @IsOptional() @OneOf(['true', 'false']) FETCH_ALLOW_PRIVATE?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(1) FILE_UPLOAD_TIMEOUT_MS?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(1) RESPONSES_STORE_TTL_SECONDS?: number;
  @Transform(blankToUndefined) @IsOptional() @IsString() ADMIN_TOKEN?: string;
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseModelAliases, 'a list such as claude-opus*=deepseek-reasoner,claude-haiku*=deepseek-chat')
  MODEL_ALIASES?: string;

  @Transform(blankToUndefined) @IsOptional() @IsString() REDIS_URL?: string;
  @Transform(blankToUndefined) @IsOptional() @OneOf(['closed', 'local']) REDIS_FAILURE_MODE?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(1000) LEASE_TTL_MS?: number;
  @Transform(blankToUndefined) @IsOptional() @IsString() METRICS_TOKEN?: string;
  @Transform(blankToUndefined)
  @IsOptional()
  @OneOf(LOG_LEVELS)
  LOG_LEVEL?: string;
  @Transform(blankToUndefined) @IsOptional() @OneOf(LOG_FORMATS) LOG_FORMAT?: string;

  // The HTTP edge (security.config.ts, docs/security.md).
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseHostList, 'a comma-separated list of host names, each with an optional :port')
  ALLOWED_HOSTS?: string;
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(
    parseTrustProxy,
    'false, a number of proxy hops, or proxy addresses/CIDRs (true would let any client pick its IP)',
  )
  TRUST_PROXY?: string;
  @Transform(toInt) @IsOptional() @WholeNumber(0) RATE_LIMIT_CHAT_PER_MINUTE?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) RATE_LIMIT_TOKEN_CHECKS_PER_MINUTE?: number;
  @Transform(toInt) @IsOptional() @WholeNumber(0) RATE_LIMIT_NEW_TOKENS_PER_MINUTE?: number;
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseCorsOrigins, '* or a comma-separated list of origins such as https://app.example.com')
  CORS_ORIGINS?: string;
}

/** A bad setting: one line per variable, none quoting a secret. */
export class EnvironmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'EnvironmentError';
  }
}

/** Validates raw environment values; throws one EnvironmentError naming every bad variable. */
export function readEnvironment(raw: Record<string, unknown> = process.env): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { excludeExtraneousValues: false });
  const problems = validateSync(env, { skipMissingProperties: false, whitelist: false }).map((error) => {
    const expected = Object.values(error.constraints ?? {})[0] ?? 'valid';
    return `${error.property}: ${quoted(error.property, error.value)} is not ${expected}`;
  });
  problems.push(...accountProblems(env), ...upstreamProblems(env));
  if (problems.length > 0) throw new EnvironmentError(problems);
  return env;
}

function quoted(name: string, value: unknown): string {
  if (SECRET_VARIABLES.has(name)) return 'the value';
  const text = String(value);
  return JSON.stringify(text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text);
}

/** The account settings taken together (their values are secrets: the messages never quote them). */
function accountProblems(env: EnvironmentVariables): string[] {
  const name = env.DEEPSEEK_TOKENS !== undefined ? 'DEEPSEEK_TOKENS' : 'DEEP_SEEK_CHAT_AUTHORIZATION';
  const tokens = splitList(env.DEEPSEEK_TOKENS ?? env.DEEP_SEEK_CHAT_AUTHORIZATION);
  if (tokens.length > 0) {
    // The per-request cap is for client input; an operator may configure as many accounts as they own.
    const parsed = parseTokenList(tokens.join(','), Number.POSITIVE_INFINITY);
    if (!parsed.ok) return [`${name}: ${parsed.problem}`];
  } else if (splitList(env.API_KEYS).length > 0 && env.UPSTREAM_MODE !== 'api') {
    return ["API_KEYS: set, but DEEPSEEK_TOKENS is empty; API keys need the server's own accounts in DEEPSEEK_TOKENS"];
  }
  return [];
}

/** The official API's settings taken together (the keys are secrets: never quoted). */
function upstreamProblems(env: EnvironmentVariables): string[] {
  const mode = env.UPSTREAM_MODE ?? 'web';
  const keys = env.DEEPSEEK_API_KEYS === undefined ? [] : parseApiKeys(env.DEEPSEEK_API_KEYS, 1);
  if (keys === null) return ['DEEPSEEK_API_KEYS: not a comma-separated list of keys, each optionally key=concurrency'];
  if (mode === 'web') return [];
  if (keys.length === 0) return [`UPSTREAM_MODE: ${mode} needs DEEPSEEK_API_KEYS`];
  if (mode === 'web-then-api' && splitList(env.DEEPSEEK_TOKENS ?? env.DEEP_SEEK_CHAT_AUTHORIZATION).length === 0) {
    // Without server-side accounts the clients' own tokens are the accounts: any client could spend the keys.
    return [
      "UPSTREAM_MODE: web-then-api needs the server's own accounts in DEEPSEEK_TOKENS (with client tokens, anyone could spend the API keys)",
    ];
  }
  return [];
}

/** For ConfigModule.forRoot: validate, but leave process.env as it was. */
export function validateEnvironment(raw: Record<string, unknown>): Record<string, unknown> {
  readEnvironment(raw);
  return raw;
}

/** Splits a comma-separated list, trimming and dropping empty entries and duplicates. */
export function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return [
    ...new Set(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    ),
  ];
}
