import type { DecodedMessage, DeepSeekEvent } from './deepseek-event';
import { defaultParserLogger, type ParserLogger } from './parser-logger';
import { SseFramer } from './sse-framer';
import { StreamEventDecoder } from './stream-event-decoder';

export interface UpstreamStreamParserOptions {
  /** Where rare oddities go (unknown events, dropped patches, continue divergence). Default: Nest's Logger. */
  logger?: ParserLogger;
  /**
   * Keep the message's text in memory for `message` (default true). A relay passes false: each text
   * is emitted and then dropped, so memory per stream does not grow with the answer; `message` then
   * holds only the last few characters of each text.
   */
  keepText?: boolean;
}

/**
 * Raw upstream completion bytes → DeepSeekEvents (docs/protocol.md §7–8), for one message
 * across its `chat/completion` body and any `chat/continue` bodies. Synchronous: events are
 * delivered from inside `write`/`end`.
 */
export class UpstreamStreamParser {
  private readonly decoder: StreamEventDecoder;
  private readonly framer: SseFramer;

  constructor(onEvent: (event: DeepSeekEvent) => void, options: UpstreamStreamParserOptions = {}) {
    this.decoder = new StreamEventDecoder(onEvent, options.logger ?? defaultParserLogger(), options.keepText ?? true);
    this.framer = new SseFramer((event, data) => this.decoder.handle(event, data));
  }

  /** Feed raw bytes of the current HTTP body; any chunking (inside UTF-8 chars, inside lines, CRLF split). */
  write(chunk: Uint8Array): void {
    this.framer.write(chunk);
  }

  /** The current body reached EOF: flush a pending event (a final event without trailing blank line is dispatched). */
  end(): void {
    this.framer.end();
    this.decoder.endBody();
  }

  /**
   * The next bytes are a `chat/continue` body for the same message: reset SSE framing and the patch
   * state (document, sticky path/op) but remember per fragment what text was already emitted, so the
   * continue snapshot only emits the unseen suffix (§7.8). A body not yet ended is ended first.
   */
  beginContinueRound(): void {
    this.framer.end();
    this.decoder.beginContinueRound();
  }

  /** The message as the document describes it at the end of the last round. */
  get message(): DecodedMessage {
    return this.decoder.message;
  }
}
