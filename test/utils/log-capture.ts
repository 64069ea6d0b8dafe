import type { LoggerService, LogLevel } from '@nestjs/common';
import { inspect } from 'node:util';
import { RedactingConsoleLogger } from '../../src/common/logging/app-logger';

/**
 * Every log call of the app (boot included), all levels, as `<level> <args…>` text lines, before any
 * formatting or redaction: what the code handed the logger, so a test can search it for secrets.
 * Pass it as `startStack({ logger })`.
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

const ALL_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * The production logger (JSON lines, redaction) writing through `console`, where this capture reads
 * every line it prints: what an operator would see. Pass `capture.logger` as `startStack({ logger })`;
 * it spies on `console` from construction until `restore()`.
 */
export class JsonLogCapture {
  readonly logger = new RedactingConsoleLogger({ json: true, forceConsole: true, logLevels: ALL_LEVELS });
  readonly lines: string[] = [];
  private readonly spies = (['log', 'error'] as const).map((method) =>
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      this.lines.push(String(args[0]));
    }),
  );

  /** Every line parsed; JSON mode writes one object per line. */
  entries(): { level: string; context?: string; message: unknown }[] {
    return this.lines.map((line) => JSON.parse(line));
  }

  /** The `message` objects of the access log lines. */
  access(): (Record<string, unknown> & { level: string })[] {
    return this.entries()
      .filter((entry) => entry.context === 'AccessLog')
      .map((entry) => ({ ...(entry.message as Record<string, unknown>), level: entry.level }));
  }

  text(): string {
    return this.lines.join('\n');
  }

  restore(): void {
    for (const spy of this.spies) spy.mockRestore();
  }
}
