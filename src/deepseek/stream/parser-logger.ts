import { Logger } from '@nestjs/common';

/** The two levels the parser uses; Nest's Logger fits, tests pass a silent or recording one. */
export interface ParserLogger {
  debug(message: string): void;
  warn(message: string): void;
}

export function defaultParserLogger(): ParserLogger {
  return new Logger('UpstreamStreamParser');
}

/** Reports each distinct oddity once per parser, so a misbehaving upstream cannot flood the log. */
export class OnceLogger {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: ParserLogger) {}

  debug(key: string, message: string): void {
    if (this.seen.size > 256 || this.seen.has(key)) return;
    this.seen.add(key);
    this.logger.debug(message);
  }

  warn(key: string, message: string): void {
    if (this.seen.size > 256 || this.seen.has(key)) return;
    this.seen.add(key);
    this.logger.warn(message);
  }
}
