import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time with the thread busy (idle samples left out). */
  totalMs: number;
  idleMs: number;
  topFunctions: ProfileEntry[];
  /** Self time rolled up by where the code lives: a package, node internals, the gateway's own files. */
  byModule: ProfileEntry[];
}

/** Self time per function and per module from a V8 .cpuprofile (each sample lasts until the next one). */
export function summarizeCpuProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  // Sample i lasts until sample i + 1 (timeDeltas[0] is the wait before the first sample, not a sample).
  for (let i = 0; i + 1 < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i + 1] ?? 0));
  }
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    totalUs += us;
    const name = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const module = moduleOf(frame.url, frame.functionName);
    byModule.set(module, (byModule.get(module) ?? 0) + us);
  }
  const entries = (map: Map<string, number>, limit: number): ProfileEntry[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 100) / 10,
        percent: Math.round((us / totalUs) * 1000) / 10,
      }));
  return {
    totalMs: Math.round(totalUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    topFunctions: entries(byFunction, top),
    byModule: entries(byModule, top),
  };
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const build = /\/(?:dist|current)\/(.*)$/.exec(url);
  if (build) return build[1];
  return url.replace(/^file:\/\//, '');
}

function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const build = /\/(?:dist|current)\/([^/]+(?:\/[^/]+)?)\//.exec(url);
  if (build) return `gateway ${build[1]}/`;
  return url.replace(/^file:\/\//, '');
}

export function renderProfile(summary: ProfileSummary, what = 'scenario 2, extra round', whose = 'Gateway'): string {
  const line = (e: ProfileEntry): string =>
    `    ${e.percent.toFixed(1).padStart(5)}%  ${e.selfMs.toFixed(1).padStart(8)} ms  ${e.name}`;
  return [
    `${whose} CPU profile (${what}): ${summary.totalMs} ms busy on the main thread, ${summary.idleMs} ms idle`,
    '  top self time by module:',
    ...summary.byModule.map(line),
    '  top self time by function:',
    ...summary.topFunctions.map(line),
  ].join('\n');
}
