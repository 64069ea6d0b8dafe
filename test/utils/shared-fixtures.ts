import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared` beside the repository, as every session and CI has it. Never copied into the repo. */
export const SHARED_DIR = resolve(__dirname, '..', '..', '..', 'shared');
export const CAPTURES_DIR = join(SHARED_DIR, 'fixtures', 'deepseek-captures');
export const POW_VECTORS_FILE = join(SHARED_DIR, 'fixtures', 'pow-vectors.json');

export const hasSharedFixtures = existsSync(CAPTURES_DIR);

/** `describe` when ../shared is present; otherwise a skipped block that says why. */
export const describeWithShared: jest.Describe = hasSharedFixtures
  ? describe
  : (((name: string, fn: () => void) =>
      describe.skip(
        `${name} (skipped: ${CAPTURES_DIR} is absent; it ships beside the repo as ../shared)`,
        fn,
      )) as jest.Describe);

export interface Capture {
  id: string;
  /** The raw upstream body, byte for byte. */
  stream: Buffer;
  expected: Record<string, any>;
  meta: Record<string, any>;
}

export function loadCaptures(): Capture[] {
  if (!hasSharedFixtures) return [];
  return readdirSync(CAPTURES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(CAPTURES_DIR, entry.name);
      return {
        id: entry.name,
        stream: readFileSync(join(dir, 'upstream.stream.sse')),
        expected: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')),
        meta: JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')),
      };
    });
}
