/**
 * Client-controlled text (a URL path, a model name) on its way into a log line or an error message:
 * bounded, and escaped so it stays one field on one line even in the plain-text log format.
 */

/** What a request path may add to a log line or a 404 message. */
export const MAX_LOGGED_PATH_LENGTH = 256;

/** At most `max` UTF-16 units, marked with `…` when cut. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** No control characters (no forged lines) and no spaces (one field): both percent-encoded. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x20\x7f]/g, (c) => encodeURIComponent(c));
}

/** `clip`, then `printable`: what a log line or an error message may quote of a client string. */
export function quotable(text: string, max = MAX_LOGGED_PATH_LENGTH): string {
  return printable(clip(text, max));
}
