/** Things to undo at the end, last first: processes, then the worktree and the scratch builds. */
export class Cleanup {
  private readonly steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.reverse()) await Promise.resolve(step()).catch(() => undefined);
    this.steps.length = 0;
  }
}
