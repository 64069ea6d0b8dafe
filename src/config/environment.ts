import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min, validateSync } from 'class-validator';
import { ParsesWith, parseByteSize, parseCorsOrigins, parseHostList, parseTrustProxy } from './security-syntax';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const blankToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * Every environment variable the server reads, validated once. A bad value stops the boot with a
 * message naming the variable. Services never read `process.env`; they inject the typed namespaces.
 */
export class EnvironmentVariables {
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) @Max(65535) PORT?: number;
  @Transform(blankToUndefined) @IsOptional() @IsString() HOST?: string;

  @Transform(blankToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  DEEPSEEK_BASE_URL?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_TOKENS?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEP_SEEK_CHAT_AUTHORIZATION?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() API_KEYS?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_USER_AGENT?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_CLIENT_VERSION?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_APP_VERSION?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() DEEPSEEK_CLIENT_LOCALE?: string;
  @Transform(toInt) @IsOptional() @IsInt() @Min(-86400) @Max(86400) DEEPSEEK_CLIENT_TIMEZONE_OFFSET?: number;

  @Transform(toInt) @IsOptional() @IsInt() @Min(1) @Max(64) ACCOUNT_MAX_INFLIGHT?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) ACCOUNT_MAX_PER_HOUR?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) ACCOUNT_MIN_INTERVAL_MS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) QUEUE_TIMEOUT_MS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) QUEUE_MAX_LENGTH?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) UPSTREAM_TIMEOUT_MS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) UPSTREAM_FIRST_BYTE_TIMEOUT_MS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) @Max(64) MAX_CONTINUE_ROUNDS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) UPSTREAM_CLOSE_GRACE_MS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) @Max(64) POW_WORKERS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) KEEPALIVE_INTERVAL_MS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) @Max(1000) STREAM_COALESCE_MS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) CLIENT_WRITE_TIMEOUT_MS?: number;

  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseByteSize, 'a size in bytes, or with kb, mb or gb')
  BODY_LIMIT?: string;
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) MAX_MESSAGES?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(1) MAX_PROMPT_CHARS?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) SHUTDOWN_GRACE_MS?: number;

  @Transform(blankToUndefined) @IsOptional() @IsIn(['true', 'false']) STRICT_MODELS?: string;
  @Transform(blankToUndefined) @IsOptional() @IsIn(['true', 'false']) DROP_UNSUPPORTED_PARTS?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() ADMIN_TOKEN?: string;

  @Transform(blankToUndefined) @IsOptional() @IsString() REDIS_URL?: string;
  @Transform(blankToUndefined) @IsOptional() @IsString() METRICS_TOKEN?: string;
  @Transform(blankToUndefined)
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'log', 'info', 'debug', 'verbose'])
  LOG_LEVEL?: string;
  @Transform(blankToUndefined) @IsOptional() @IsIn(['json', 'pretty']) LOG_FORMAT?: string;

  // The HTTP edge (security.config.ts, docs/security.md).
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseHostList, 'host names with an optional :port, comma-separated')
  ALLOWED_HOSTS?: string;
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseTrustProxy, 'false, a number of proxy hops, or proxy addresses/CIDRs (not true)')
  TRUST_PROXY?: string;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) RATE_LIMIT_CHAT_PER_MINUTE?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) RATE_LIMIT_TOKEN_CHECKS_PER_MINUTE?: number;
  @Transform(toInt) @IsOptional() @IsInt() @Min(0) RATE_LIMIT_NEW_TOKENS_PER_MINUTE?: number;
  @Transform(blankToUndefined)
  @IsOptional()
  @ParsesWith(parseCorsOrigins, "'*' or origins such as https://app.example.com, comma-separated")
  CORS_ORIGINS?: string;
}

/** Validates raw environment values; throws one error naming every bad variable. */
export function readEnvironment(raw: Record<string, unknown> = process.env): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { excludeExtraneousValues: false });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`,
    );
    throw new Error(`Invalid environment:\n  ${lines.join('\n  ')}`);
  }
  return env;
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
