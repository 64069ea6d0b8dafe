import type { FakeState } from '../../test/fake-deepseek/types';
import { answerText } from '../common/answer-texts';
import { benchTokens, type Pacing } from '../common/scenarios';

/** The fake upstream's control API (test/fake-deepseek/control-api.ts), from another process. */
export class FakeControl {
  constructor(private readonly baseUrl: string) {}

  async reset(): Promise<void> {
    await this.call('POST', '/__fake__/reset');
  }

  async configure(patch: Record<string, unknown>): Promise<void> {
    await this.call('POST', '/__fake__/config', patch);
  }

  async state(): Promise<FakeState> {
    return (await this.call('GET', '/__fake__/state')) as FakeState;
  }

  /** A clean fake for one scenario: `accounts` bench accounts, the given pacing and answer. */
  async prepare(accounts: number, pacing: Pacing, allowConcurrent: boolean): Promise<void> {
    await this.reset();
    await this.configure({
      accounts: benchTokens(accounts),
      format: 'C',
      allowConcurrentGenerations: allowConcurrent,
      verifyPow: true,
      keepGeneratingAfterDisconnect: false,
      emitTip: false,
      echo: false,
      ...this.pacingPatch(pacing),
    });
  }

  /** Switches pacing and answer length (e.g. quick warm-up answers, then the measured ones). */
  async setPacing(pacing: Pacing): Promise<void> {
    await this.configure(this.pacingPatch(pacing));
  }

  private pacingPatch(pacing: Pacing): Record<string, unknown> {
    return {
      powDifficulty: pacing.difficulty,
      firstByteDelayMs: 0,
      tokenDelayMs: pacing.frameIntervalMs,
      charsPerFrame: pacing.charsPerFrame,
      reply: { reasoning: '', content: answerText(pacing.answer ?? 'plain', pacing.frames, pacing.charsPerFrame) },
    };
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const value: unknown = await response.json();
    if (!response.ok) throw new Error(`fake upstream ${path}: ${JSON.stringify(value)}`);
    return value;
  }
}
