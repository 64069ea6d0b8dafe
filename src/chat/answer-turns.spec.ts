import { lastValueFrom, Subject, toArray } from 'rxjs';
import type { UpstreamCompletion } from '../deepseek/deepseek.client';
import type { DeepSeekEvent } from '../deepseek/stream/deepseek-event';
import type { AccountLease } from '../tokens/pool/token-pool.service';
import { AnswerTurns } from './answer-turns';

/** A turn whose events and close the test drives. */
function turn(responseMessageId: number) {
  const events = new Subject<DeepSeekEvent>();
  let close!: () => void;
  const closed = new Promise<void>((resolve) => (close = resolve));
  const completion: UpstreamCompletion = {
    sessionId: 'session-1',
    requestMessageId: responseMessageId - 1,
    responseMessageId,
    events,
    closed,
    pause: jest.fn(),
    resume: jest.fn(),
  };
  return { completion, events, close };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const first = turn(2);
  const second = turn(4);
  const lease = { release: jest.fn() } as unknown as AccountLease & { release: jest.Mock };
  const startTurn = jest.fn(() => Promise.resolve(second.completion));
  const abort = new AbortController();
  const turns = new AnswerTurns(first.completion, lease, startTurn, abort.signal);
  return { first, second, lease, startTurn, abort, turns };
}

describe('AnswerTurns', () => {
  it('should hold the lease until the events ended and the turn closed, whichever comes last', async () => {
    const { first, lease, turns } = setup();
    const read = lastValueFrom(turns.events((events) => events.pipe(toArray())));
    first.close();
    await flush();
    expect(lease.release).not.toHaveBeenCalled();
    first.events.complete();
    await read;
    await flush();
    expect(lease.release).toHaveBeenCalledTimes(1);
  });

  it('should start a follow-up in the same chat only once the previous turn closed, and release after it', async () => {
    const { first, second, lease, startTurn, turns } = setup();
    const events = lastValueFrom(turns.followUp('Reply again.').pipe(toArray()));
    await flush();
    expect(startTurn).not.toHaveBeenCalled();
    first.close();
    await flush();
    expect(startTurn).toHaveBeenCalledWith('Reply again.', 'session-1', 2);
    second.events.next({ type: 'content', text: 'ok' });
    second.events.complete();
    expect(await events).toEqual([{ type: 'content', text: 'ok' }]);
    expect(lease.release).not.toHaveBeenCalled();
    turns.pause();
    expect(second.completion.pause).toHaveBeenCalled();
    second.close();
    await flush();
    // The events of the answer were never read in this test: the lease waits for them or for an abort.
    expect(lease.release).not.toHaveBeenCalled();
  });

  it('should release when the request is aborted before its events were read', async () => {
    const { first, lease, abort } = setup();
    first.close();
    await flush();
    expect(lease.release).not.toHaveBeenCalled();
    abort.abort();
    expect(lease.release).toHaveBeenCalledTimes(1);
  });

  it('should release once a follow-up that failed to start settled', async () => {
    const { first, lease, startTurn, turns } = setup();
    startTurn.mockRejectedValueOnce(new Error('busy'));
    const read = lastValueFrom(turns.events(() => turns.followUp('Reply again.')));
    first.close();
    await expect(read).rejects.toThrow('busy');
    await flush();
    expect(lease.release).toHaveBeenCalledTimes(1);
  });
});
