/** Longest file name kept; most file systems stop at 255 bytes. */
const MAX_FILE_NAME_LENGTH = 200;

/**
 * The fetched file's name: Content-Disposition's `filename*` (RFC 5987) or `filename`, else the last
 * segment of the URL's path; null when neither gives one. Only a base name is kept (no directories), without
 * control characters, at most 200 characters.
 */
export function fileNameOf(contentDisposition: string | undefined, url: URL): string | null {
  return (
    clean(extendedFileName(contentDisposition)) ??
    clean(plainFileName(contentDisposition)) ??
    clean(safeDecode(url.pathname.split('/').pop() ?? ''))
  );
}

function extendedFileName(header: string | undefined): string | null {
  const match = /(?:^|;)\s*filename\*\s*=\s*([\w!#$%&+^`{}~-]+)'[\w-]*'([^;\s]+)/i.exec(header ?? '');
  if (!match || !/^utf-8$/i.test(match[1])) return null;
  return safeDecode(match[2]);
}

function plainFileName(header: string | undefined): string | null {
  const match = /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(header ?? '');
  if (!match) return null;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

function clean(name: string | null): string | null {
  if (name === null) return null;
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const base = (name.split(/[/\\]/).pop() ?? '').replace(/[\x00-\x1f\x7f]/g, '').trim();
  if (base === '' || base === '.' || base === '..') return null;
  return base.slice(0, MAX_FILE_NAME_LENGTH);
}

function safeDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
