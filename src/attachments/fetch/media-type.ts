/**
 * The media type of a fetched body: the Content-Type header's type (lower-cased, parameters dropped), or,
 * when the header is missing or says only `application/octet-stream`, what the first bytes show.
 */

/** Types a server sends when it does not know (or say) what the bytes are. */
const UNDECLARED_TYPES: readonly string[] = ['', 'application/octet-stream', 'binary/octet-stream'];

/** `image/png; charset=x` → `image/png`; a missing or malformed header → `''`. */
export function mediaTypeOf(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type : '';
}

export function isUndeclared(mediaType: string): boolean {
  return UNDECLARED_TYPES.includes(mediaType);
}

/** Whether `mediaType` matches one of `allowed`: exact types (`application/pdf`), `image/*`, or `*\/*`. */
export function isAllowedType(mediaType: string, allowed: readonly string[]): boolean {
  const [major] = mediaType.split('/');
  return allowed.some((pattern) => {
    const wanted = pattern.toLowerCase();
    return wanted === mediaType || wanted === '*/*' || wanted === `${major}/*`;
  });
}

const SIGNATURES: readonly { type: string; matches: (bytes: Buffer) => boolean }[] = [
  { type: 'image/png', matches: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', matches: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  {
    type: 'image/gif',
    matches: (b) =>
      b
        .subarray(0, 6)
        .toString('latin1')
        .match(/^GIF8[79]a$/) !== null,
  },
  {
    type: 'image/webp',
    matches: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  { type: 'application/pdf', matches: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
];

/** The type the first bytes prove (PNG, JPEG, GIF, WebP, PDF), or null. */
export function sniffMediaType(bytes: Buffer): string | null {
  return SIGNATURES.find((signature) => signature.matches(bytes))?.type ?? null;
}

function startsWith(bytes: Buffer, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}
