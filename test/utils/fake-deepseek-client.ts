import { DeepSeekClient, UpstreamAccount, UpstreamCompletion } from '../../src/deepseek/deepseek.client';
import { UpstreamError } from '../../src/deepseek/upstream-error';

/** How the fake `users/current` answers for a token: live, dead (40003), muted until, or any UpstreamError. */
export type FakeTokenState = 'live' | 'dead' | { mutedUntilMs: number } | UpstreamError;

/** A hand-written DeepSeekClient for the token specs: scripted token checks, counted per token. */
export class FakeDeepSeekClient extends DeepSeekClient {
  private readonly states = new Map<string, FakeTokenState>();
  private readonly checkCounts = new Map<string, number>();
  private gate: Promise<void> = Promise.resolve();

  /** Unknown tokens are dead, as upstream. */
  setToken(token: string, state: FakeTokenState): this {
    this.states.set(token, state);
    return this;
  }

  checksOf(token: string): number {
    return this.checkCounts.get(token) ?? 0;
  }

  /** Holds every check until the returned function is called. */
  holdChecks(): () => void {
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    return () => {
      open();
      this.gate = Promise.resolve();
    };
  }

  async checkToken(token: string): Promise<UpstreamAccount> {
    this.checkCounts.set(token, this.checksOf(token) + 1);
    await this.gate;
    const state = this.states.get(token) ?? 'dead';
    if (state === 'live') return { mutedUntilMs: null };
    if (state === 'dead') {
      throw new UpstreamError('auth', 'Authorization Failed (invalid token)', { code: 40003 });
    }
    if (state instanceof UpstreamError) throw state;
    return { mutedUntilMs: state.mutedUntilMs };
  }

  startCompletion(): Promise<UpstreamCompletion> {
    return Promise.reject(new Error('FakeDeepSeekClient: the token specs run no completion'));
  }

  modelSettings(): Promise<Record<string, boolean>> {
    return Promise.resolve({ default: true, expert: false, vision: false });
  }

  stopStream(): Promise<void> {
    return Promise.resolve();
  }

  deleteSession(): Promise<void> {
    return Promise.resolve();
  }

  /** Files go through the fake upstream (test/fake-deepseek) in the specs that need them. */
  uploadFile(): Promise<never> {
    return Promise.reject(new Error('file uploads are not scripted here'));
  }

  fetchFiles(): Promise<never> {
    return Promise.reject(new Error('file uploads are not scripted here'));
  }
}
