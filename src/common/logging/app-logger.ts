import { ConsoleLogger, LogLevel } from '@nestjs/common';
import type { AppConfig } from '../../config/app.config';
import { redactSecrets, redactValue } from './redact';

const SEVERITY: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** `info` is Nest's `log`; a level enables itself and everything more severe. */
export function logLevelsFor(level: string): LogLevel[] {
  const wanted = level === 'info' ? 'log' : (level as LogLevel);
  const index = SEVERITY.indexOf(wanted);
  return SEVERITY.slice(0, index < 0 ? SEVERITY.indexOf('log') + 1 : index + 1);
}

/** Nest's ConsoleLogger with credential-looking values masked in every message and stack. */
export class RedactingConsoleLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(
      messages.map(redactValue),
      context,
      logLevel,
      writeStreamType,
      typeof errorStack === 'string' ? redactSecrets(errorStack) : errorStack,
    );
  }

  protected override printStackTrace(stack: string): void {
    super.printStackTrace(redactSecrets(stack));
  }
}

/** JSON lines by default (one object per line, for log shippers); Nest's coloured format for a terminal. */
export function createAppLogger(config: Pick<AppConfig, 'logLevel' | 'logFormat'>): ConsoleLogger {
  return new RedactingConsoleLogger({
    json: config.logFormat === 'json',
    colors: config.logFormat === 'pretty' && process.stdout.isTTY === true,
    logLevels: logLevelsFor(config.logLevel),
  });
}
