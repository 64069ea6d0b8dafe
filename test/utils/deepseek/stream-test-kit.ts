/** Helpers for the specs in this folder: build SSE bodies, run them through the parser, fold the events. */
import type { DecodedMessage, DeepSeekEvent } from '../../../src/deepseek/stream/deepseek-event';
import type { ParserLogger } from '../../../src/deepseek/stream/parser-logger';
import { UpstreamStreamParser } from '../../../src/deepseek/stream/upstream-stream-parser';

export class NamedEvent {
  constructor(
    readonly event: string,
    readonly data: unknown,
  ) {}
}

/** `event: <name>` followed by its data. */
export function named(event: string, data: unknown): NamedEvent {
  return new NamedEvent(event, data);
}

/** One SSE event per item, each ended by a blank line: strings are raw data, other values JSON. */
export function sseBody(...items: unknown[]): string {
  return items
    .map((item) => {
      const [event, data] = item instanceof NamedEvent ? [item.event, item.data] : [undefined, item];
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      return `${event === undefined ? '' : `event: ${event}\n`}data: ${text}\n\n`;
    })
    .join('');
}

export const silentLogger: ParserLogger = { debug: () => undefined, warn: () => undefined };

export interface ParseResult {
  events: DeepSeekEvent[];
  message: DecodedMessage;
  /** Concatenated deltas. */
  reasoning: string;
  content: string;
  template: string;
}

/**
 * Feeds each body (as given, or cut into `chunks`) as one round; later bodies are continue rounds. Every
 * body is parsed twice, keeping the text (as `message` needs) and not (as the relay runs): both must emit
 * the same events, so every parser spec also checks the relay's mode.
 */
export function parseBodies(bodies: (string | Uint8Array | Uint8Array[])[], logger = silentLogger): ParseResult {
  const kept = run(bodies, logger, true);
  const relayed = run(bodies, silentLogger, false);
  expect(relayed.events).toEqual(kept.events);
  return { events: kept.events, message: kept.parser.message, ...foldText(kept.events) };
}

function run(bodies: (string | Uint8Array | Uint8Array[])[], logger: ParserLogger, keepText: boolean) {
  const events: DeepSeekEvent[] = [];
  const parser = new UpstreamStreamParser((event) => events.push(event), { logger, keepText });
  bodies.forEach((body, round) => {
    if (round > 0) parser.beginContinueRound();
    const chunks = Array.isArray(body) ? body : [typeof body === 'string' ? Buffer.from(body, 'utf8') : body];
    for (const chunk of chunks) parser.write(chunk);
    parser.end();
  });
  return { events, parser };
}

export function parse(body: string | Uint8Array | Uint8Array[], logger = silentLogger): ParseResult {
  return parseBodies([body], logger);
}

export function foldText(events: DeepSeekEvent[]): { reasoning: string; content: string; template: string } {
  const text = { reasoning: '', content: '', template: '' };
  for (const event of events) {
    if (event.type === 'reasoning' || event.type === 'content' || event.type === 'template') {
      text[event.type] += event.text;
    }
  }
  return text;
}

export function eventsOfType<T extends DeepSeekEvent['type']>(
  events: DeepSeekEvent[],
  type: T,
): Extract<DeepSeekEvent, { type: T }>[] {
  return events.filter((event): event is Extract<DeepSeekEvent, { type: T }> => event.type === type);
}

/** Cuts bytes at the given sizes, cycling through them. */
export function chunked(bytes: Uint8Array, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}
