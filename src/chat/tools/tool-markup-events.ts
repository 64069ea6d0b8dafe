import type { MalformedReason } from './tool-types';

export interface ParsedParameter {
  name: string;
  /** The text between the tags, with one wrapping CDATA section removed (see `cdata`). */
  value: string;
  /** The `string` attribute (`true`/`false`), or null when absent or unreadable. */
  stringAttribute: 'true' | 'false' | null;
  /** The value was one CDATA section: taken verbatim, no newline trimming. */
  cdata: boolean;
}

export interface ParsedInvoke {
  name: string;
  parameters: ParsedParameter[];
}

/** What the markup parser reports; syntax only (names, arguments and policy are the transform's). */
export type MarkupEvent =
  | { type: 'text'; text: string }
  /** One closed `invoke` of a confirmed block. */
  | { type: 'invoke'; invoke: ParsedInvoke }
  /** The block is over: its wrapper closed, or the stream ended with only the wrapper closer missing. */
  | { type: 'blockEnd'; closed: boolean }
  /** The block broke after at least one `invoke` opener; `raw` is everything read of it. */
  | { type: 'malformed'; reason: MalformedReason; raw: string }
  /** The first text after a block: it and everything after it are dropped. */
  | { type: 'trailing'; text: string };

export type EmitMarkup = (event: MarkupEvent) => void;
