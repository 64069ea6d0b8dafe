import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { renderProfile, summarizeCpuProfile, type ProfileSummary } from './cpu-profile-summary';
import { renderGoals, renderMachine, type ScenarioReport } from './report';
import { harnessProblems } from './sanity';
import { relayProfilePath } from '../common/messages';
import { CPU_PROFILE_FILE, type Run } from './scenario-runner';

/**
 * Prints the machine (again, with the load average at the end), the targets and the CPU profile, writes
 * the JSON file. False when the harness itself did not work (see sanity.ts).
 */
export function finishRun(
  run: Run,
  reports: readonly ScenarioReport[],
  labels: readonly string[],
  output: { stamp: string; file: string },
): boolean {
  const { options, machine, say } = run;
  const profile = profileSummary(run, reports, CPU_PROFILE_FILE);
  const relayProfile = profile && profileSummary(run, reports, relayProfilePath(CPU_PROFILE_FILE));
  const goals = options.quick ? [] : reports.flatMap((r) => r.goals);
  const loadAfter = loadavg().map((v) => Math.round(v * 100) / 100);
  const problems = harnessProblems(reports, labels);
  say(renderMachine(machine, loadAfter));
  say(options.quick ? 'Targets: not judged in --quick (smoke sizes).' : renderGoals(goals));
  if (profile) say(`\n${renderProfile(profile)}`);
  if (relayProfile) say(`\n${renderProfile(relayProfile, 'scenario 2, extra round', 'Minimal relay')}`);

  const json = {
    startedAt: output.stamp,
    machine,
    loadAverageAtEnd: loadAfter,
    options,
    builds: run.builds.map(({ label, source }) => ({ label, source })),
    powWorkers: run.powWorkers,
    scenarios: reports,
    goals,
    harnessProblems: problems,
    profile,
    relayProfile,
  };
  writeFileSync(output.file, `${JSON.stringify(json, null, 2)}\n`);
  say(`\nresults: ${output.file}`);
  if (problems.length > 0) process.stderr.write(`\nthe harness did not work:\n  ${problems.join('\n  ')}\n`);
  return problems.length === 0;
}

function profileSummary(run: Run, reports: readonly ScenarioReport[], file: string): ProfileSummary | null {
  if (!run.options.cpuProf || !reports.some((r) => r.id === 2)) return null;
  try {
    return summarizeCpuProfile(join(run.runDir, file));
  } catch (error) {
    run.say(`could not read the CPU profile: ${(error as Error).message}`);
    return null;
  }
}
