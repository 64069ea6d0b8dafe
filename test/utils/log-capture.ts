import type { LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';
import { type DestinationStream, pino } from 'pino';
import { AppLogger } from '../../src/common/logging/app-logger';
import { pinoOptionsFor } from '../../src/common/logging/pino-options';

/**
 * Every log call of the app (boot included), all levels, as `<level> <args…>` text lines, before any
 * formatting or redaction: what the code handed the logger, so a test can search it for secrets.
 * Pass it as `startStack({ logger })`. JsonLogCapture reads the production output instead.
 */
export class LogCapture implements LoggerService {
  readonly lines: string[] = [];

  log(...args: unknown[]): void {
    this.record('log', args);
  }
  error(...args: unknown[]): void {
    this.record('error', args);
  }
  warn(...args: unknown[]): void {
    this.record('warn', args);
  }
  debug(...args: unknown[]): void {
    this.record('debug', args);
  }
  verbose(...args: unknown[]): void {
    this.record('verbose', args);
  }
  fatal(...args: unknown[]): void {
    this.record('fatal', args);
  }

  text(): string {
    return this.lines.join('\n');
  }

  private record(level: string, args: unknown[]): void {
    const parts = args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 6, showHidden: true })));
    this.lines.push(`${level} ${parts.join(' ')}`);
  }
}

/** One line of the production log (pino, JSON format). */
export interface LogLine {
  level: string;
  time: string;
  pid: number;
  context?: string;
  msg?: string;
  request_id?: string;
  [field: string]: unknown;
}

/** Fields every line has; `access()` leaves them out, so a test names only what the access log adds. */
const LINE_FIELDS = ['time', 'pid', 'context', 'msg'];

/**
 * The production log as an operator reads it: the app's pino logger (JSON lines, redaction) writing
 * here instead of stdout. Pass it as `startStack({ logs })`; for code that logs without an app,
 * `logger()` is the production Nest logger writing here.
 */
export class JsonLogCapture implements DestinationStream {
  readonly lines: string[] = [];

  write(chunk: string): void {
    for (const line of chunk.split('\n')) if (line !== '') this.lines.push(line);
  }

  /** The app's Nest logger (every level), writing here. */
  logger(): AppLogger {
    return new AppLogger(pino(pinoOptionsFor({ logLevel: 'verbose', logFormat: 'json' }), this));
  }

  /** Every line parsed: one object per line. */
  entries(): LogLine[] {
    return this.lines.map((line) => JSON.parse(line) as LogLine);
  }

  /** The access log lines, without the fields every line has (the level stays). */
  access(): (Record<string, unknown> & { level: string })[] {
    return this.entries()
      .filter((entry) => entry.context === 'AccessLog')
      .map((entry) => {
        const fields: Record<string, unknown> & { level: string } = { ...entry };
        for (const name of LINE_FIELDS) delete fields[name];
        return fields;
      });
  }

  text(): string {
    return this.lines.join('\n');
  }
}
