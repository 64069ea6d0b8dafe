import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { ChatEvent } from '../chat/events/chat-event';
import type { ApiKeyLease } from './api-key-pool';
import { OfficialAnswerRelay } from './official-answer-relay';
import { OfficialApiError } from './official-api-error';
import { OfficialStreamDecoder } from './official-stream-decoder';

const IDLE_MS = 1_000;
const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** A body the test writes into, standing in for the API's IncomingMessage. */
function fakeBody(): PassThrough & { complete: boolean } {
  return Object.assign(new PassThrough(), { complete: false });
}

function relayOver(body: PassThrough, signal = new AbortController().signal) {
  const lease = { id: 'key-id', key: 'sk-x', release: jest.fn() } satisfies ApiKeyLease;
  const relay = new OfficialAnswerRelay(
    body as unknown as IncomingMessage,
    lease,
    new OfficialStreamDecoder(),
    { idleTimeoutMs: IDLE_MS, promptTokens: 5 },
    signal,
  );
  const events: ChatEvent[] = [];
  let failure: unknown;
  let completed = false;
  const watch = () =>
    relay.events.subscribe({
      next: (event) => events.push(event),
      error: (error: unknown) => (failure = error),
      complete: () => (completed = true),
    });
  return { relay, lease, events, watch, failure: () => failure, completed: () => completed };
}

describe('OfficialAnswerRelay', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('should relay the frames as events, end with the finish and give the key back', async () => {
    const body = fakeBody();
    const run = relayOver(body);
    run.watch();
    body.write(chunk({ content: 'Hel' }));
    body.end(chunk({ content: 'lo' }, 'stop'));
    await jest.advanceTimersByTimeAsync(0);

    expect(run.events.map((event) => event.type)).toEqual(['content', 'content', 'finish']);
    expect(run.completed()).toBe(true);
    expect(run.lease.release).toHaveBeenCalled();
  });

  it('should fail with a timeout after the idle time without a byte, and close the body', async () => {
    const body = fakeBody();
    const run = relayOver(body);
    run.watch();
    body.write(chunk({ content: 'Hi' }));
    await jest.advanceTimersByTimeAsync(IDLE_MS + 1);

    expect(run.failure()).toBeInstanceOf(OfficialApiError);
    expect((run.failure() as OfficialApiError).kind).toBe('timeout');
    expect(body.destroyed).toBe(true);
    expect(run.lease.release).toHaveBeenCalled();
  });

  it('should not time out while paused, and count the idle time again once resumed', async () => {
    const body = fakeBody();
    const run = relayOver(body);
    run.watch();
    run.relay.pause();
    await jest.advanceTimersByTimeAsync(IDLE_MS * 5);
    expect(run.failure()).toBeUndefined();

    run.relay.resume();
    await jest.advanceTimersByTimeAsync(IDLE_MS + 1);
    expect((run.failure() as OfficialApiError).kind).toBe('timeout');
  });

  it('should close the body and give the key back when the request is aborted before anyone subscribed', () => {
    const body = fakeBody();
    const controller = new AbortController();
    const run = relayOver(body, controller.signal);

    controller.abort();

    expect(body.destroyed).toBe(true);
    expect(run.lease.release).toHaveBeenCalled();
  });

  it('should close the body and give the key back when the subscriber leaves mid-answer', async () => {
    const body = fakeBody();
    const run = relayOver(body);
    const subscription = run.watch();
    body.write(chunk({ content: 'Hi' }));
    await jest.advanceTimersByTimeAsync(0);

    subscription.unsubscribe();

    expect(body.destroyed).toBe(true);
    expect(run.lease.release).toHaveBeenCalled();
  });

  it('should call a body that closes before its finish incomplete', async () => {
    const body = fakeBody();
    const run = relayOver(body);
    run.watch();
    body.write(chunk({ content: 'Hi' }));
    await jest.advanceTimersByTimeAsync(0);
    body.destroy();
    await jest.advanceTimersByTimeAsync(0);

    expect((run.failure() as OfficialApiError).kind).toBe('incomplete');
  });
});
