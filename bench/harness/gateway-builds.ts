import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';

/** A gateway build to measure. */
export interface GatewayBuild {
  label: string;
  /** The compiled entry point (…/main.js). */
  mainJs: string;
  /** What was built: `working tree`, a dist given on the command line, or a ref and its commit. */
  source: string;
  cleanup(): void;
}

const run = (command: string, args: string[], cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function compile(root: string, projectDir: string, outDir: string): void {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], projectDir);
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? '';
    throw new Error(`the gateway in ${projectDir} does not compile:\n${output.slice(0, 2000)}`, { cause: error });
  }
}

/** Removes a node_modules symlink itself (never what it points to). */
function unlinkNodeModules(projectDir: string): void {
  const link = join(projectDir, 'node_modules');
  if (existsSync(link) && lstatSync(link).isSymbolicLink()) unlinkSync(link);
}

/** Deletes a scratch directory; its node_modules symlink is unlinked first, so nothing outside is touched. */
export function removeScratchDir(dir: string): void {
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) unlinkNodeModules(join(dir, entry));
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A scratch directory outside the repository for builds (JavaScript inside the repository would be linted,
 * and dist/ may be rebuilt by others at any moment). Removed by the caller when the run ends.
 */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'ds-gateway-bench-'));
}

/** HEAD plus what differs from it under src/ (others may be editing it), so a result names what it measured. */
function describeWorkingTree(root: string): string {
  const head = run('git', ['rev-parse', '--short=10', 'HEAD'], root).trim();
  const changed = run('git', ['status', '--porcelain', '--', 'src'], root).split('\n').filter(Boolean).length;
  if (changed === 0) return `working tree = ${head}`;
  const diff = run('git', ['diff', 'HEAD', '--', 'src'], root);
  const untracked = run('git', ['ls-files', '--others', '--exclude-standard', '--', 'src'], root);
  const digest = createHash('sha256').update(diff).update(untracked).digest('hex').slice(0, 12);
  return `working tree = ${head} + ${changed} changed path(s) under src/ (digest ${digest})`;
}

/** The working tree compiled into `<buildDir>/current/dist`, next to a node_modules symlink to ours and a copy of public/. */
export function buildWorkingTree(root: string, buildDir: string): GatewayBuild {
  const projectDir = join(buildDir, 'current');
  mkdirSync(projectDir, { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(projectDir, 'node_modules'), 'dir');
  // Beside dist/ as in the image: the console's files and the version it shows.
  cpSync(join(root, 'public'), join(projectDir, 'public'), { recursive: true });
  copyFileSync(join(root, 'package.json'), join(projectDir, 'package.json'));
  compile(root, root, join(projectDir, 'dist'));
  return {
    label: 'gateway',
    mainJs: join(projectDir, 'dist', 'main.js'),
    source: describeWorkingTree(root),
    cleanup: () => undefined,
  };
}

export function existingBuild(dist: string): GatewayBuild {
  const mainJs = resolve(dist, 'main.js');
  if (!existsSync(mainJs)) throw new Error(`--gateway-dist: ${mainJs} does not exist`);
  return { label: 'gateway', mainJs, source: `prebuilt ${resolve(dist)}`, cleanup: () => undefined };
}

/**
 * `ref` checked out in a temporary git worktree and built there. node_modules is a symlink to ours when
 * the lockfiles are identical, else `npm ci` runs in the worktree. cleanup() removes the worktree.
 */
export function buildRef(root: string, ref: string, log: (text: string) => void): GatewayBuild {
  const commit = run('git', ['rev-parse', '--verify', `${ref}^{commit}`], root).trim();
  const dir = scratchDir();
  const cleanup = (): void => {
    unlinkNodeModules(dir);
    try {
      run('git', ['worktree', 'remove', '--force', dir], root);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      run('git', ['worktree', 'prune'], root);
    }
  };
  try {
    log(`compare: checking out ${ref} (${commit.slice(0, 10)}) in ${dir}`);
    run('git', ['worktree', 'add', '--detach', dir, commit], root);
    const sameLockfile =
      readFileSync(join(root, 'package-lock.json'), 'utf8') === readFileSync(join(dir, 'package-lock.json'), 'utf8');
    if (sameLockfile) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    else {
      log(`compare: ${ref} has another package-lock.json; running npm ci in the worktree`);
      run('npm', ['ci', '--no-audit', '--no-fund'], dir);
    }
    log(`compare: building ${ref}`);
    compile(sameLockfile ? root : dir, dir, join(dir, 'dist'));
  } catch (error) {
    cleanup();
    throw error;
  }
  return { label: `gateway@${ref}`, mainJs: join(dir, 'dist', 'main.js'), source: `${ref} (${commit})`, cleanup };
}

/** The probe preload, transpiled on its own (it imports only node built-ins). */
export function buildProbe(root: string, buildDir: string): string {
  const source = readFileSync(join(root, 'bench', 'probe', 'gateway-probe.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const file = join(buildDir, 'gateway-probe.js');
  writeFileSync(file, outputText);
  return file;
}
