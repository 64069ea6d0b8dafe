import { named, sseBody } from '../../../test/utils/deepseek/stream-test-kit';
import type { DeepSeekEvent } from './deepseek-event';
import { TAIL_CHARS } from './emitted-text';
import { UpstreamStreamParser } from './upstream-stream-parser';

const READY = named('ready', { request_message_id: 1, response_message_id: 2 });
const TOKEN = 'word ';
const TOKENS = 200_000; // 1 MB of answer

/** `count` bare frames of the token, as the real stream sends them after the first patch of a path. */
const repeatToken = (count: number): string => sseBody({ v: TOKEN }).repeat(count);

/** Format C: a RESPONSE fragment, then the answer token by token as bare `{"v":…}` frames. */
function formatC(tokens: number, status: string): string {
  const snapshot = {
    v: {
      response: { message_id: 2, parent_id: 1, fragments: [{ id: 1, type: 'RESPONSE', content: '' }], status: 'WIP' },
    },
  };
  const first = { p: 'response/fragments/-1/content', o: 'APPEND', v: TOKEN };
  return sseBody(READY, snapshot, first) + repeatToken(tokens - 1) + sseBody({ p: 'response/status', v: status });
}

/** Format B: `response/thinking_content` then `response/content`. */
function formatB(tokens: number): string {
  const snapshot = {
    v: { response: { message_id: 2, parent_id: 1, thinking_content: '', content: '', status: 'WIP' } },
  };
  return (
    sseBody(READY, snapshot, { p: 'response/thinking_content', o: 'APPEND', v: TOKEN }) +
    repeatToken(tokens - 1) +
    sseBody({ p: 'response/content', o: 'APPEND', v: TOKEN }) +
    repeatToken(tokens - 1) +
    sseBody({ p: 'response/status', v: 'FINISHED' })
  );
}

function relay(bodies: string[]): { parser: UpstreamStreamParser; chars: number } {
  let chars = 0;
  const parser = new UpstreamStreamParser(
    (event: DeepSeekEvent) => {
      if (event.type === 'content' || event.type === 'reasoning') chars += event.text.length;
    },
    { keepText: false },
  );
  bodies.forEach((body, round) => {
    if (round > 0) parser.beginContinueRound();
    parser.write(Buffer.from(body));
    parser.end();
  });
  return { parser, chars };
}

describe('UpstreamStreamParser without keepText: memory does not grow with the answer', () => {
  it('should emit a 1 MB Format C answer and keep only a short tail of it', () => {
    const { parser, chars } = relay([formatC(TOKENS, 'FINISHED')]);

    expect(chars).toBe(TOKENS * TOKEN.length);
    expect(parser.message.content.length).toBeLessThanOrEqual(TAIL_CHARS);
  });

  it('should keep only tails of Format B thinking and answer', () => {
    const { parser, chars } = relay([formatB(TOKENS / 2)]);

    expect(chars).toBe(TOKENS * TOKEN.length);
    expect(parser.message.reasoning.length).toBeLessThanOrEqual(TAIL_CHARS);
    expect(parser.message.content.length).toBeLessThanOrEqual(TAIL_CHARS);
  });

  it('should splice a continue snapshot that restates a long answer plus two new characters', () => {
    const sent = TOKEN.repeat(50_000);
    const round1 = formatC(50_000, 'INCOMPLETE');
    const snapshot = {
      v: {
        response: {
          message_id: 2,
          parent_id: 1,
          fragments: [{ id: 1, type: 'RESPONSE', content: `${sent}ok` }],
          status: 'WIP',
        },
      },
    };
    const round2 = sseBody(
      READY,
      snapshot,
      { p: 'response/fragments/-1/content', o: 'APPEND', v: '!' },
      { p: 'response/status', v: 'FINISHED' },
    );

    const { chars, parser } = relay([round1, round2]);

    expect(chars).toBe(sent.length + 3);
    expect(parser.message.content === `${sent}ok!`.slice(-TAIL_CHARS)).toBe(true);
  });
});
