import { StringDecoder } from 'node:string_decoder';

/** Receives one dispatched SSE event: its name (`message` by default) and its data lines joined with "\n". */
export type SseEventHandler = (event: string, data: string) => void;

const LF = 0x0a;
const SPACE = 0x20;
const COLON = 0x3a;
const BOM = 0xfeff;

/**
 * WHATWG `text/event-stream` framing (§7.1). Each chunk is decoded once by a streaming UTF-8
 * decoder, which holds back a character split between chunks; lines are then cut with string
 * searches. No line-length limit: an unfinished line waits in `pending`, however long.
 */
export class SseFramer {
  private utf8 = new StringDecoder('utf8');
  private pending = '';
  /** The previous text ended with CR: an LF at the start of the next one belongs to it. */
  private skipLeadingLf = false;
  private atBodyStart = true;
  private eventName = '';
  private data = '';
  private hasData = false;

  constructor(private readonly onEvent: SseEventHandler) {}

  write(chunk: Uint8Array): void {
    const text = this.utf8.write(chunk);
    if (text !== '') this.feed(text);
  }

  /** End of body: an unterminated last line counts, and a pending event is dispatched. Then resets. */
  end(): void {
    const rest = this.utf8.end();
    if (rest !== '') this.feed(rest);
    if (this.pending !== '') this.line(this.pending, 0, this.pending.length);
    this.dispatch();
    this.reset();
  }

  /** Forgets everything, for the next HTTP body. */
  reset(): void {
    this.utf8 = new StringDecoder('utf8');
    this.pending = '';
    this.skipLeadingLf = false;
    this.atBodyStart = true;
    this.eventName = '';
    this.data = '';
    this.hasData = false;
  }

  private feed(text: string): void {
    let start = 0;
    if (this.atBodyStart) {
      this.atBodyStart = false;
      if (text.charCodeAt(0) === BOM) start = 1;
    }
    if (this.skipLeadingLf) {
      this.skipLeadingLf = false;
      if (text.charCodeAt(start) === LF) start++;
    }
    let nextLf = text.indexOf('\n', start);
    let nextCr = text.indexOf('\r', start);
    if (this.pending !== '') {
      if (nextLf === -1 && nextCr === -1) {
        this.pending += start === 0 ? text : text.slice(start);
        return;
      }
      const shift = this.pending.length - start;
      text = this.pending + (start === 0 ? text : text.slice(start));
      this.pending = '';
      start = 0;
      if (nextLf !== -1) nextLf += shift;
      if (nextCr !== -1) nextCr += shift;
    }
    const length = text.length;
    while (nextLf !== -1 || nextCr !== -1) {
      const end = nextCr === -1 || (nextLf !== -1 && nextLf < nextCr) ? nextLf : nextCr;
      if (end === nextLf && text.charCodeAt(end + 1) === LF && !this.hasData && isDataLine(text, start, end)) {
        // The dominant shape, `data: …` + blank line, dispatched without buffering the value.
        const event = this.eventName;
        this.eventName = '';
        this.onEvent(event === '' ? 'message' : event, valueOf(text, start + 5, end));
        start = end + 2;
        nextLf = text.indexOf('\n', start);
        continue;
      }
      this.line(text, start, end);
      start = end + 1;
      if (end === nextCr) {
        if (start === length) this.skipLeadingLf = true;
        else if (text.charCodeAt(start) === LF) start++;
        nextCr = text.indexOf('\r', start);
      }
      if (nextLf !== -1 && nextLf < start) nextLf = text.indexOf('\n', start);
    }
    if (start < length) this.pending = text.slice(start);
  }

  private line(text: string, start: number, end: number): void {
    if (start === end) return this.dispatch();
    const first = text.charCodeAt(start);
    if (first === COLON) return;
    if (isDataLine(text, start, end)) return this.addData(valueOf(text, start + 5, end));
    if (
      first === 0x65 && // event:
      text.charCodeAt(start + 1) === 0x76 &&
      text.charCodeAt(start + 2) === 0x65 &&
      text.charCodeAt(start + 3) === 0x6e &&
      text.charCodeAt(start + 4) === 0x74 &&
      text.charCodeAt(start + 5) === COLON &&
      start + 5 < end
    ) {
      this.eventName = valueOf(text, start + 6, end);
      return;
    }
    this.otherField(text.slice(start, end));
  }

  /** Rare shapes: a field without colon, `id`, `retry`, unknown fields, non-SSE lines. */
  private otherField(line: string): void {
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field === 'data') this.addData(colon === -1 ? '' : valueOf(line, colon + 1, line.length));
    else if (field === 'event') this.eventName = colon === -1 ? '' : valueOf(line, colon + 1, line.length);
  }

  private addData(value: string): void {
    this.data = this.hasData ? `${this.data}\n${value}` : value;
    this.hasData = true;
  }

  private dispatch(): void {
    const event = this.eventName;
    this.eventName = '';
    if (!this.hasData) return;
    const data = this.data;
    this.data = '';
    this.hasData = false;
    this.onEvent(event === '' ? 'message' : event, data);
  }
}

function isDataLine(text: string, start: number, end: number): boolean {
  return (
    text.charCodeAt(start) === 0x64 &&
    text.charCodeAt(start + 1) === 0x61 &&
    text.charCodeAt(start + 2) === 0x74 &&
    text.charCodeAt(start + 3) === 0x61 &&
    text.charCodeAt(start + 4) === COLON &&
    start + 4 < end
  );
}

/** A field value: one leading space is not part of it. */
function valueOf(line: string, start: number, end: number): string {
  return line.slice(line.charCodeAt(start) === SPACE && start < end ? start + 1 : start, end);
}
