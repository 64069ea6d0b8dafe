import { destination, type DestinationStream, transport } from 'pino';
import type { LogFormat } from '../../config/app.config';

/**
 * Where the log goes: JSON lines written synchronously to stdout (as Nest's console logger did, so
 * nothing is lost on exit), or pino-pretty on a worker thread for a person at a terminal. pino-pretty
 * is loaded only in the pretty format.
 */
export function logDestinationFor(format: LogFormat): DestinationStream {
  if (format === 'json') return destination({ dest: 1, sync: true });
  return transport({
    target: 'pino-pretty',
    options: {
      // Decided here: the worker thread's stdout is not the terminal.
      colorize: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
      // Fields are for machines; a person reads the message (errors still show with their stack).
      hideObject: true,
    },
  });
}
