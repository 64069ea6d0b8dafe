import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The repository root (the image's /app): this file is src/console/*.ts under ts-node and Jest, and
 * dist/console/*.js once built, two levels down either way. The Dockerfile copies `public/` and
 * `package.json` next to `dist/`.
 */
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const CONSOLE_DIR = join(REPO_ROOT, 'public', 'console');

/** The version in package.json, read once. */
export const APP_VERSION: string = (() => {
  try {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
})();
