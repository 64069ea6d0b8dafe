import { type Level, type LoggerOptions, stdTimeFunctions } from 'pino';
import type { AppConfig } from '../../config/app.config';
import { redactSecrets } from './redact';

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'cookie', 'set-cookie'];

/** Credential headers wherever a logged object carries headers (`headers`, `req.headers`, `res.headers`). */
export const REDACTED_PATHS = CREDENTIAL_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]);

/** LOG_LEVEL in pino's words: Nest's `log` is pino's `info`, its `verbose` pino's `trace`. */
export function pinoLevelFor(logLevel: string): Level {
  if (logLevel === 'log') return 'info';
  if (logLevel === 'verbose') return 'trace';
  return logLevel as Level;
}

/**
 * One JSON object per line: ISO time, the level by name (as LOG_LEVEL names it), credential headers
 * censored, and every written line passed through the redaction rules (redact.ts) as a last guard.
 * The pretty format keeps pino's numeric levels, which pino-pretty reads.
 */
export function pinoOptionsFor(config: Pick<AppConfig, 'logLevel' | 'logFormat'>): LoggerOptions {
  return {
    level: pinoLevelFor(config.logLevel),
    base: { pid: process.pid },
    timestamp: stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: redactSecrets },
    formatters:
      config.logFormat === 'json' ? { level: (label) => ({ level: label === 'trace' ? 'verbose' : label }) } : {},
  };
}
