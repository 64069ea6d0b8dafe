import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';

/**
 * The documentation holds together: every relative link in every Markdown file points at a file of the
 * repository (and at a heading of it, for a link with an `#anchor`), every `docs/….md` a comment or page names
 * exists, and nothing points at reference material kept outside the repository.
 */

const ROOT = resolve(__dirname, '..', '..');
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage', join('bench', 'results')]);
/** Where the Markdown pages that code and pages name are looked for. */
const SCANNED_DIRS = ['src', 'test', 'bench', 'scripts', 'docs', '.ci', 'deploy'];
const SCANNED_ROOT_FILES =
  /^(README.*\.md|Dockerfile|docker-compose(\.[\w-]+)?\.yml|render\.yaml|ecosystem\.config\.js|package\.json)$/;
const TEXT_EXTENSIONS = new Set(['.ts', '.js', '.mjs', '.json', '.md', '.yml', '.yaml', '.sh', '.conf', '']);

function walk(dir: string, keep: (path: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !SKIPPED_DIRS.has(path)) found.push(...walk(path, keep));
    } else if (entry.isFile() && keep(path)) {
      found.push(path);
    }
  }
  return found;
}

const markdownFiles = walk('.', (path) => path.endsWith('.md'));
const scannedFiles = [
  ...readdirSync(ROOT).filter((name) => SCANNED_ROOT_FILES.test(name)),
  ...SCANNED_DIRS.filter((dir) => existsSync(join(ROOT, dir))).flatMap((dir) =>
    walk(dir, (path) => TEXT_EXTENSIONS.has(extname(path))),
  ),
];

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The lines outside fenced code blocks. */
function withoutFences(markdown: string): string {
  let fence: string | null = null;
  const kept: string[] = [];
  for (const line of markdown.split('\n')) {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker) fence = marker[0];
    else if (fence !== null && marker?.[0] === fence) fence = null;
    else if (fence === null) kept.push(line);
  }
  return kept.join('\n');
}

/** The text outside code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return withoutFences(markdown).replace(/(`+)[\s\S]*?\1/g, '');
}

/** Link targets: `[text](target)`, `![alt](target)`, `[label]: target`. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  const inline = [...text.matchAll(/\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const references = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]);
  return [...inline, ...references].map((target) => target.replace(/^<(.*)>$/, '$1'));
}

const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

/** GitHub's anchors for the headings of a Markdown file. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function brokenLinks(file: string): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(read(file))) {
    if (isExternal(target)) continue;
    const [rawPath, anchor] = target.split('#', 2);
    const path = decodeURI(rawPath);
    const resolved = path === '' ? join(ROOT, file) : resolve(ROOT, dirname(file), path);
    const inRepo = relative(ROOT, resolved);
    if (inRepo.startsWith('..') || inRepo.split(sep).includes('node_modules')) {
      problems.push(`${target}: outside the repository`);
    } else if (!existsSync(resolved)) {
      problems.push(`${target}: no such file`);
    } else if (anchor && statSync(resolved).isFile() && resolved.endsWith('.md')) {
      if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor.toLowerCase())) {
        problems.push(`${target}: no heading for #${anchor}`);
      }
    }
  }
  return problems;
}

/** Where a file can point a reader somewhere: all of a page, the comments of code; data and test strings are not pointers. */
function citingText(file: string): string {
  if (file.endsWith('.md')) return read(file);
  if (!/(\.(ts|js|mjs|sh|conf|yml|yaml)|Dockerfile)$/.test(file)) return '';
  return read(file)
    .split('\n')
    .filter((line) => /^\s*(\/\/|\/\*|\*|#)/.test(line))
    .join('\n');
}

describe('documentation links', () => {
  it('should find the Markdown files', () => {
    expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', join('docs', 'configuration.md')]));
  });

  it.each(markdownFiles)('%s: every relative link should resolve inside the repository', (file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('should name only docs pages that exist, in code comments and pages alike', () => {
    const missing = scannedFiles.flatMap((file) =>
      [...read(file).matchAll(/(?<![\w./-])docs\/[\w./-]+\.md/g)]
        .map((m) => m[0])
        .filter((page) => !existsSync(join(ROOT, page)))
        .map((page) => `${file}: ${page}`),
    );
    expect(missing).toEqual([]);
  });

  it('should name only Markdown pages the repository has, so no pointer leads to notes kept elsewhere', () => {
    const pageNames = new Set(markdownFiles.map((file) => basename(file)));
    const unknown = scannedFiles.flatMap((file) =>
      [...citingText(file).matchAll(/(?<![\w:/.-])(?:[\w.-]+\/)*([\w.-]+\.md)\b/g)]
        .filter((m) => !pageNames.has(m[1]))
        .map((m) => `${file}: ${m[0]}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('docs/configuration.md', () => {
  const declared = [...read(join('src', 'config', 'environment.ts')).matchAll(/\b([A-Z][A-Z0-9_]{2,})\?:/g)].map(
    (m) => m[1],
  );

  it.each(['configuration.md', 'configuration.zh-CN.md'])('%s should list every variable, and no other', (page) => {
    const listed = [...read(join('docs', page)).matchAll(/^\| `([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(30);
    expect([...listed].sort()).toEqual([...declared].sort());
  });
});

describe('the link checker', () => {
  it('should read links outside code and GitHub anchors', () => {
    const sample = [
      '# The `API`, in short',
      '## TRUST_PROXY',
      '## 4.2 Statuses',
      '## 部署',
      'See [a](guide/a.md#x) and ![b](b.png "title") and `[c](not-a-link.md)`.',
      '```bash',
      '[d](inside-code.md)',
      '# not a heading',
      '```',
      '[e]: e.md',
    ].join('\n');
    expect(linkTargets(sample)).toEqual(['guide/a.md#x', 'b.png', 'e.md']);
    expect([...anchorsOf(sample)]).toEqual(['the-api-in-short', 'trust_proxy', '42-statuses', '部署']);
  });
});
