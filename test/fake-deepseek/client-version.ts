/** Endpoints that refuse an old `x-client-version` when `minClientVersion` is set. */
export const VERSION_CHECKED_ENDPOINTS: ReadonlySet<string> = new Set(['create_pow_challenge', 'completion']);

export const CLIENT_VERSION_PATTERN = /^\d+(\.\d+)*$/;

/** Compares dotted numeric versions ("2.4.0" < "2.10"); a missing header is below any minimum. */
export function isVersionBelow(version: string | undefined, minimum: string): boolean {
  if (version === undefined) return true;
  const have = numericParts(version);
  const want = numericParts(minimum);
  for (let i = 0; i < Math.max(have.length, want.length); i++) {
    const a = have[i] ?? 0;
    const b = want[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}

function numericParts(version: string): number[] {
  return version
    .trim()
    .split('.')
    .map((part) => {
      const n = Number.parseInt(part, 10);
      return Number.isFinite(n) ? n : 0;
    });
}
