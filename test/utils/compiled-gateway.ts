import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
/** Inside node_modules, so module resolution from the compiled files finds the project's packages. */
const CACHE = join(ROOT, 'node_modules', '.cache', 'gateway-process');
const STALE_MS = 60 * 60_000;
/** Read by the gateway at run time next to its code, as in the image (the Dockerfile copies them beside dist/). */
const RUNTIME_FILES = ['package.json', 'public'];

/**
 * The child's stdin is a pipe from the test process: it ends when that process dies, even by SIGKILL,
 * and the gateway follows. Worker threads run --require too, and their stdin is empty.
 */
const EXIT_WITH_PARENT = `if (require('node:worker_threads').isMainThread) {
  process.stdin.on('end', () => process.kill(process.pid, 'SIGKILL'));
  process.stdin.resume();
}
`;

export interface CompiledGateway {
  mainJs: string;
  /** For `node --require`: exits when the test process is gone. */
  exitWithParent: string;
}

let compiled: CompiledGateway | undefined;

/**
 * src/ as JavaScript, without type checks (`tsc --noEmit` does those), kept per content hash: node starts
 * it in about 2 s where ts-node needs about 10 s per process, and only a changed src/ is transpiled again.
 */
export function compiledGateway(): CompiledGateway {
  if (compiled) return compiled;
  const files = sourceFiles(join(ROOT, 'src'));
  const options = compilerOptions();
  const hash = createHash('sha256').update(ts.version).update(JSON.stringify(options)).update(EXIT_WITH_PARENT);
  const runtimeFiles = RUNTIME_FILES.flatMap((path) => filesUnder(join(ROOT, path)));
  for (const file of [...files, ...runtimeFiles]) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  const dir = join(CACHE, hash.digest('hex').slice(0, 16));
  if (!existsSync(dir)) build(dir, files, options);
  compiled = { mainJs: join(dir, 'src', 'main.js'), exitWithParent: join(dir, 'exit-with-parent.js') };
  return compiled;
}

/** Written beside its place and renamed into it, so a concurrent test file never sees half a build. */
function build(dir: string, files: readonly string[], options: ts.CompilerOptions): void {
  removeStaleBuilds();
  const scratch = `${dir}.${process.pid}.tmp`;
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file });
    const target = join(scratch, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(scratch, 'exit-with-parent.js'), EXIT_WITH_PARENT);
  for (const path of RUNTIME_FILES) cpSync(join(ROOT, path), join(scratch, path), { recursive: true });
  try {
    renameSync(scratch, dir);
  } catch {
    // Another test file built the same sources first.
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** As the project's tsconfig.json says (decorator metadata included). */
function compilerOptions(): ts.CompilerOptions {
  const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.convertCompilerOptionsFromJson((config as { compilerOptions: object }).compilerOptions, ROOT);
  return { ...options, sourceMap: false };
}

/** A file, or every file under a directory, sorted. */
function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((entry) => filesUnder(join(path, entry.name)))
    .sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
    })
    .sort();
}

/** Builds of older sources, untouched for an hour. */
function removeStaleBuilds(): void {
  if (!existsSync(CACHE)) return;
  for (const name of readdirSync(CACHE)) {
    const path = join(CACHE, name);
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
}
