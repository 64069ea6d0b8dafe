import type { ServerResponse } from 'node:http';
import { renderScript } from './formats/render';
import { replayFrames, replayStatus } from './replay';
import { commitProgress, endingStatus, stoppedScript, type StreamScript } from './script';
import type { FakeStore, MessageRecord, SessionRecord } from './store';
import { type AfterFrames, type Pacing, type RunOutcome, StreamRun } from './stream-run';
import type { MessageStatus } from './types';

export interface GenerationSpec {
  account: string;
  endpoint: 'completion' | 'continue';
  session: SessionRecord;
  message: MessageRecord;
  /** A scripted round, or the bytes of a captured one. */
  source: { script: StreamScript } | { replay: Buffer; nextRound: Buffer | null };
  pacing: Pacing;
  keepGeneratingAfterDisconnect: boolean;
}

/**
 * One round of one message, from the account lock to its release (§10.5): when the response ends
 * (after the title wait that follows the terminal status), on stop_stream, and on client disconnect
 * either at once or when the script would have finished (keepGeneratingAfterDisconnect).
 */
export class Generation {
  private readonly run: StreamRun;
  private readonly finalStatus: MessageStatus;
  private virtualTimer: NodeJS.Timeout | undefined;
  /** The message's text and status are recorded (at the terminal status, or when the round ends). */
  private settled = false;
  private released = false;

  constructor(
    private readonly store: FakeStore,
    private readonly spec: GenerationSpec,
    res: ServerResponse,
    private readonly onReleased: (generation: Generation) => void,
  ) {
    const { source } = spec;
    const frames = 'script' in source ? renderScript(source.script) : replayFrames(source.replay);
    const after = 'script' in source ? afterFrames(source.script) : { kind: 'end' as const };
    this.finalStatus =
      'script' in source ? endingStatus(source.script.ending) : (replayStatus(source.replay) ?? 'FINISHED');
    spec.message.status = 'WIP';
    spec.message.rounds++;
    spec.message.endedAt = null;
    this.store.acquire(spec.account);
    this.store.openStreams++;
    this.run = new StreamRun(
      res,
      frames,
      spec.pacing,
      after,
      (outcome) => this.onRunEnd(outcome),
      // The message is done once its terminal status is out; only the account stays busy for the title.
      () => this.settle(this.finalStatus, 'all'),
    );
  }

  get key(): string {
    return generationKey(this.spec.session.id, this.spec.message.responseMessageId);
  }

  start(): void {
    this.run.start();
  }

  /**
   * stop_stream: the message ends INCOMPLETE at what was written so far; during the title wait the
   * closing events go out at once and the message keeps its terminal status.
   */
  stop(): void {
    const { source, message } = this.spec;
    if (!this.run.finished && this.run.waitingForTitle) {
      this.run.stop(this.run.unwrittenFrames());
      return;
    }
    if (!this.run.finished && 'script' in source) {
      const tail = renderScript(stoppedScript(source.script, message, this.run.tokensWritten));
      this.run.stop(tail.data.slice(this.run.framesWritten));
      return;
    }
    this.run.stop([]);
    if (this.virtualTimer !== undefined) this.finish('INCOMPLETE', this.run.tokensWritten);
  }

  cancel(): void {
    if (this.virtualTimer !== undefined) clearTimeout(this.virtualTimer);
    this.run.cancel();
    this.release();
  }

  private onRunEnd(outcome: RunOutcome): void {
    this.store.openStreams--;
    switch (outcome) {
      case 'completed':
        return this.finish(this.finalStatus, 'all');
      case 'stopped':
        return this.finish('INCOMPLETE', this.run.tokensWritten);
      case 'cancelled':
        return;
      case 'aborted':
        return this.onClientGone();
    }
  }

  private onClientGone(): void {
    const { spec, run } = this;
    this.store.aborts.push({
      account: spec.account,
      endpoint: spec.endpoint,
      sessionId: spec.session.id,
      messageId: spec.message.responseMessageId,
      at: Date.now(),
      tokensWritten: run.tokensWritten,
    });
    const stallsForever = 'script' in spec.source && afterFrames(spec.source.script).kind === 'stall';
    if (!spec.keepGeneratingAfterDisconnect || stallsForever) {
      this.finish('INCOMPLETE', run.tokensWritten);
      return;
    }
    this.virtualTimer = setTimeout(() => this.finish(this.finalStatus, 'all'), run.remainingMs());
  }

  /** Ends the round; a message already settled at its terminal status keeps it. */
  private finish(status: MessageStatus, tokens: number | 'all'): void {
    if (this.released) return;
    this.settle(status, tokens);
    this.spec.message.endedAt = Date.now();
    this.release();
  }

  private settle(status: MessageStatus, tokens: number | 'all'): void {
    if (this.settled) return;
    this.settled = true;
    const { source, message } = this.spec;
    if ('script' in source) commitProgress(message, source.script, tokens);
    else if (status === 'INCOMPLETE' && source.nextRound) message.replayRound2 = source.nextRound;
    message.status = status;
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    if (this.virtualTimer !== undefined) clearTimeout(this.virtualTimer);
    this.virtualTimer = undefined;
    this.store.release(this.spec.account);
    this.onReleased(this);
  }
}

export function generationKey(sessionId: string, responseMessageId: number): string {
  return `${sessionId}/${responseMessageId}`;
}

function afterFrames(script: StreamScript): AfterFrames {
  const ending = script.ending;
  if (ending.kind === 'disconnect') return { kind: 'destroy' };
  if (ending.kind === 'stall') return { kind: 'stall', ms: ending.ms };
  return { kind: 'end' };
}
