/** `[bench:<id>]`: the marker the load generator puts in every prompt, so a request can be recognized upstream. */
export const BENCH_MARKER = /\[bench:([^\]\s"\\]+)\]/;
const POW_HEADER = /x-ds-pow-response:[ \t]*([A-Za-z0-9+/=]+)\r\n/i;
const REQUEST_LINE = /(?:^|\n)(?:GET|POST) (\/[^ ?\r\n]*)[^\r\n]* HTTP\/1\.1\r\n/g;
const MAX_BUFFER = 64 * 1024;
const KEEP_ON_TRIM = 4 * 1024;

/** The paths of the requests that start in a chunk (a request line split across two chunks is missed). */
export function requestPaths(chunk: Buffer): string[] {
  return Array.from(chunk.toString('latin1').matchAll(REQUEST_LINE), (match) => match[1]);
}

/**
 * Reads the client→upstream bytes of one connection and reports, per completion request, the PoW answer
 * (from the `x-ds-pow-response` header) and the bench marker of its prompt. Only the answer's number
 * is kept: the header value itself is a credential-like secret and is never stored or printed.
 */
export class PowAnswerScanner {
  private text = '';

  constructor(private readonly onAnswer: (marker: string, answer: number) => void) {}

  feed(chunk: Buffer): void {
    this.text += chunk.toString('latin1');
    for (;;) {
      const header = POW_HEADER.exec(this.text);
      if (!header) break;
      const rest = this.text.slice(header.index + header[0].length);
      const marker = BENCH_MARKER.exec(rest);
      if (!marker) return; // the body has not arrived yet
      const answer = decodeAnswer(header[1]);
      if (answer !== null) this.onAnswer(marker[1], answer);
      this.text = rest.slice(marker.index + marker[0].length);
    }
    if (this.text.length > MAX_BUFFER) this.text = this.text.slice(-KEEP_ON_TRIM);
  }
}

function decodeAnswer(base64: string): number | null {
  try {
    const decoded = JSON.parse(Buffer.from(base64, 'base64').toString('utf8')) as { answer?: unknown };
    return typeof decoded.answer === 'number' ? decoded.answer : null;
  } catch {
    return null;
  }
}
