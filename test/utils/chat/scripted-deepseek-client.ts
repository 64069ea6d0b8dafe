import { randomUUID } from 'node:crypto';
import { Observable, ReplaySubject } from 'rxjs';
import { abortReason } from '../../../src/common/lifecycle/abort';
import {
  type CompletionOptions,
  DeepSeekClient,
  type ModelAvailability,
  type UpstreamAccount,
  type UpstreamCompletion,
} from '../../../src/deepseek/deepseek.client';
import type { DeepSeekEvent } from '../../../src/deepseek/stream/deepseek-event';
import type { UpstreamError } from '../../../src/deepseek/upstream-error';

/**
 * What one `startCompletion` does: answer in full, refuse before the first event, answer some words and then
 * wait for the spec (`ScriptedCompletion.fail/finish`), or never answer at all until aborted.
 */
export type CompletionStep = { reply: string } | { refuse: UpstreamError } | { partial: string } | { hang: true };

/** One generation the fake started, with what happened to it. */
export class ScriptedCompletion implements UpstreamCompletion {
  readonly requestMessageId = 1;
  readonly responseMessageId = 2;
  readonly closed: Promise<void>;
  readonly events: Observable<DeepSeekEvent>;
  /** Set when the generation was stopped before its end: the abort reason, or `unsubscribed`. */
  stoppedBy?: unknown;
  paused = false;
  private readonly relay = new ReplaySubject<DeepSeekEvent>();
  private ended = false;
  private markClosed!: () => void;

  constructor(
    readonly token: string,
    readonly sessionId: string,
    signal: AbortSignal,
  ) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    this.events = new Observable<DeepSeekEvent>((subscriber) => {
      const subscription = this.relay.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        this.stop('unsubscribed');
      };
    });
    signal.addEventListener('abort', () => this.stop(abortReason(signal)), { once: true });
  }

  send(text: string): void {
    this.relay.next({ type: 'content', text });
  }

  finish(): void {
    if (this.end()) {
      this.relay.next({ type: 'status', status: 'FINISHED' });
      this.relay.complete();
    }
  }

  fail(error: unknown): void {
    if (this.end()) this.relay.error(error);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  private stop(reason: unknown): void {
    if (!this.end()) return;
    this.stoppedBy = reason;
    this.relay.error(reason);
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.markClosed();
    return true;
  }
}

/**
 * A DeepSeekClient for the chat specs: every token live, and completions played from a script per token (a
 * full `Hello.` when the script is empty).
 */
export class ScriptedDeepSeekClient extends DeepSeekClient {
  readonly started: ScriptedCompletion[] = [];
  /** Every `startCompletion` call, refused ones included, in order. */
  readonly attempts: CompletionOptions[] = [];
  private readonly scripts = new Map<string, CompletionStep[]>();
  private modes: ModelAvailability = { default: true, expert: true };

  /** The next completions on `token` follow `steps`. */
  script(token: string, ...steps: CompletionStep[]): this {
    this.scripts.set(token, [...(this.scripts.get(token) ?? []), ...steps]);
    return this;
  }

  /** Tokens of the started attempts, in order. */
  attemptedTokens(): string[] {
    return this.attempts.map((attempt) => attempt.token);
  }

  offerModes(modes: ModelAvailability): this {
    this.modes = modes;
    return this;
  }

  checkToken(): Promise<UpstreamAccount> {
    return Promise.resolve({ mutedUntilMs: null });
  }

  startCompletion(options: CompletionOptions): Promise<UpstreamCompletion> {
    this.attempts.push(options);
    const step = this.scripts.get(options.token)?.shift() ?? { reply: 'Hello.' };
    if ('refuse' in step) return Promise.reject(step.refuse);
    const { signal } = options;
    if ('hang' in step) {
      return new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true }),
      );
    }
    const completion = new ScriptedCompletion(options.token, options.sessionId ?? randomUUID(), signal);
    this.started.push(completion);
    if ('reply' in step) {
      completion.send(step.reply);
      completion.finish();
    } else {
      completion.send(step.partial);
    }
    return Promise.resolve(completion);
  }

  modelSettings(): Promise<ModelAvailability> {
    return Promise.resolve(this.modes);
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
