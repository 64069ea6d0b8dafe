import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramGiB: number;
  node: string;
  kernel: string;
  /** 1, 5, 15 minute load averages when the run started: other work on the machine shows here. */
  loadAverage: number[];
  /**
   * `ulimit -n` as the harness's children get it. Node raises its soft limit to the hard one at start-up,
   * so this is normally the hard limit already; only the hard limit can stop scenario 3.
   */
  openFilesLimit: number | null;
  openFilesHardLimit: number | null;
}

export function describeMachine(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    ramGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    openFilesLimit: openFilesLimit('-n'),
    openFilesHardLimit: openFilesLimit('-Hn'),
  };
}

/** A `ulimit` of this shell (children inherit it); null when it cannot be read. */
function openFilesLimit(flag: '-n' | '-Hn'): number | null {
  try {
    const text = execFileSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim();
    return text === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(text);
  } catch {
    return null;
  }
}

/** File descriptors the busiest process (a gateway: one downstream and one upstream socket per stream) needs. */
export function descriptorsNeeded(streams: number): number {
  return 2 * streams + 512;
}
