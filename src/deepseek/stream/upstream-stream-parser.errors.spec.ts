import { eventsOfType, named, parse, sseBody } from '../../../test/utils/deepseek/stream-test-kit';

const BUSY = 'A message is being generated, please try again later.';
const snapshot = (response: Record<string, unknown>) => ({
  v: { response: { message_id: 2, parent_id: 1, ...response } },
});

describe('UpstreamStreamParser: in-stream errors (§8.5)', () => {
  it('should report a hint error with its finish reason and clear_response', () => {
    const result = parse(
      sseBody(
        named('ready', { request_message_id: 1, response_message_id: 2 }),
        named('hint', {
          type: 'error',
          content: 'Content is too long. Please shorten it and try again.',
          clear_response: true,
          finish_reason: 'input_exceeds_limit',
        }),
        named('close', {}),
      ),
    );
    expect(eventsOfType(result.events, 'error')).toEqual([
      {
        type: 'error',
        message: 'Content is too long. Please shorten it and try again.',
        finishReason: 'input_exceeds_limit',
        clearResponse: true,
      },
    ]);
    expect(result.events.at(-1)).toEqual({ type: 'close' });
  });

  it('should report the bare busy refusal without an event name, and under hint', () => {
    const bare = parse(sseBody({ type: 'error', content: BUSY }));
    expect(bare.events).toEqual([{ type: 'error', message: BUSY }]);
    expect(bare.content).toBe('');
    const hinted = parse(sseBody(named('hint', { type: 'error', content: BUSY, clear_response: true })));
    expect(hinted.events).toEqual([{ type: 'error', message: BUSY, clearResponse: true }]);
  });

  it('should report an unnamed rate-limit error and errors under unknown event names', () => {
    const result = parse(
      sseBody(
        { type: 'error', content: 'Messages too frequent. Try again later.', finish_reason: 'rate_limit_reached' },
        named('mystery', { type: 'error', content: 'odd' }),
      ),
    );
    expect(eventsOfType(result.events, 'error').map((event) => [event.message, event.finishReason])).toEqual([
      ['Messages too frequent. Try again later.', 'rate_limit_reached'],
      ['odd', undefined],
    ]);
  });

  it('should report toasts of type error only', () => {
    const result = parse(
      sseBody(
        named('toast', { type: 'info', content: 'fyi' }),
        named('toast', { type: 'error', content: 'Server busy' }),
      ),
    );
    expect(result.events).toEqual([{ type: 'error', message: 'Server busy' }]);
  });

  it('should ignore hints that are not errors', () => {
    expect(parse(sseBody(named('hint', { type: 'notice', content: 'hello' }))).events).toEqual([]);
  });

  it('should report an {"error":…} object in place of a patch', () => {
    const result = parse(
      sseBody({ error: { message: 'upstream exploded', code: 500 } }, { error: 'plain' }, { error: 7 }),
    );
    expect(eventsOfType(result.events, 'error').map((event) => event.message)).toEqual([
      'upstream exploded',
      'plain',
      '7',
    ]);
  });
});

describe('UpstreamStreamParser: statuses (§7.7)', () => {
  it('should report CONTEXT_LENGTH_EXCEEDED', () => {
    const result = parse(
      sseBody(snapshot({ status: 'WIP', fragments: [] }), { p: 'response/status', v: 'CONTEXT_LENGTH_EXCEEDED' }),
    );
    expect(eventsOfType(result.events, 'status').map((event) => event.status)).toEqual([
      'WIP',
      'CONTEXT_LENGTH_EXCEEDED',
    ]);
    expect(result.message.status).toBe('CONTEXT_LENGTH_EXCEEDED');
  });

  it('should report INCOMPLETE set with the sticky SET op after elapsed_secs', () => {
    const result = parse(
      sseBody(
        snapshot({ status: 'WIP', fragments: [{ id: 2, type: 'THINK', content: 'x' }] }),
        {
          p: 'response',
          o: 'BATCH',
          v: [
            { p: 'accumulated_token_usage', v: 2413 },
            { p: 'quasi_status', v: 'INCOMPLETE' },
          ],
        },
        { p: 'response/fragments/-1/elapsed_secs', o: 'SET', v: 692.78 },
        { p: 'response/status', v: 'INCOMPLETE' },
      ),
    );
    expect(result.message).toMatchObject({
      status: 'INCOMPLETE',
      quasiStatus: 'INCOMPLETE',
      accumulatedTokenUsage: 2413,
    });
  });

  it('should finish with a terminal quasi_status when the body ends without a terminal status', () => {
    const body = sseBody(snapshot({ status: 'WIP', fragments: [] }), {
      p: 'response',
      o: 'BATCH',
      v: [{ p: 'quasi_status', v: 'FINISHED' }],
    });
    const result = parse(body);
    expect(eventsOfType(result.events, 'status').map((event) => event.status)).toEqual(['WIP', 'FINISHED']);
    expect(result.message.status).toBe('FINISHED');
    const closed = parse(body + sseBody(named('close', {})));
    expect(closed.events.slice(-2)).toEqual([{ type: 'status', status: 'FINISHED' }, { type: 'close' }]);
  });

  it('should not let a WIP quasi_status or a truncated stream fake a terminal status', () => {
    const result = parse(sseBody(snapshot({ status: 'WIP', fragments: [] }), { p: 'response/quasi_status', v: 'WIP' }));
    expect(result.message.status).toBe('WIP');
  });

  it('should read auto_continue: true at the end of a body as AUTO_CONTINUE', () => {
    const result = parse(
      sseBody(snapshot({ status: 'WIP', auto_continue: false, fragments: [] }), {
        p: 'response/auto_continue',
        v: true,
      }),
    );
    expect(result.message.status).toBe('AUTO_CONTINUE');
  });

  it('should end with close for the close event and for [DONE]', () => {
    expect(parse(sseBody(named('close', { click_behavior: 'none' }))).events).toEqual([{ type: 'close' }]);
    expect(parse('data: [DONE]\n\n').events).toEqual([{ type: 'close' }]);
  });
});
