import fc from 'fast-check';
import { describeWithShared, loadCaptures, type Capture } from '../../../test/utils/shared-fixtures';
import type { DeepSeekEvent } from './deepseek-event';
import {
  chunked,
  eventsOfType,
  foldText,
  parse,
  parseBodies,
  type ParseResult,
} from '../../../test/utils/deepseek/stream-test-kit';

const captures = loadCaptures();
const singleRound = captures.filter((capture) => capture.expected.rounds_count === 1);
const continueCapture = captures.find((capture) => capture.expected.rounds_count === 2);

/** Round 2 (`chat/continue`) starts at the second `event: ready` line (fixtures README). */
function splitRounds(stream: Buffer): [Buffer, Buffer] {
  const at = stream.indexOf('\nevent: ready', 1) + 1;
  return [stream.subarray(0, at), stream.subarray(at)];
}

function lastOf<T extends DeepSeekEvent['type']>(events: DeepSeekEvent[], type: T) {
  return eventsOfType(events, type).at(-1);
}

describeWithShared('UpstreamStreamParser on the shared captures', () => {
  it('should find the five captures', () => {
    expect(singleRound).toHaveLength(4);
    expect(continueCapture).toBeDefined();
  });

  // Without ../shared the block is skipped but still collected: nothing here may touch a capture.
  const cases = singleRound.map((capture) => [capture.id, capture] as [string, Capture]);
  describe.each(cases.length > 0 ? cases : [['(no captures)', undefined as unknown as Capture]])(
    '%s',
    (_id, capture) => {
      let expected: Record<string, any>;
      let result: ParseResult;
      beforeAll(() => {
        expected = capture.expected;
        result = parse(capture.stream);
      });

      it('should stream the expected reasoning and content as deltas', () => {
        expect(result.reasoning).toBe(expected.reasoning);
        expect(result.content).toBe(expected.content);
        expect(result.template).toBe('');
      });

      it('should stream the expected status, usage, ids and title', () => {
        expect(lastOf(result.events, 'status')?.status).toBe(expected.status);
        expect(lastOf(result.events, 'usage')?.totalTokens).toBe(expected.accumulated_token_usage);
        expect(eventsOfType(result.events, 'ids')).toEqual([
          expect.objectContaining({ responseMessageId: expected.response_message_id, requestMessageId: 1 }),
        ]);
        expect(lastOf(result.events, 'title')?.title ?? null).toBe(expected.title);
        expect(eventsOfType(result.events, 'error')).toEqual([]);
      });

      it('should describe the same message from the document', () => {
        expect(result.message).toMatchObject({
          format: 'C',
          reasoning: expected.reasoning,
          content: expected.content,
          status: expected.status,
          quasiStatus: expected.facts.quasi_status,
          accumulatedTokenUsage: expected.accumulated_token_usage,
          responseMessageId: expected.response_message_id,
          requestMessageId: expected.facts.request_message_id,
          title: expected.title,
        });
      });

      it('should keep TIP text out of the content', () => {
        for (const tip of expected.facts.tip_texts_excluded_from_content as string[]) {
          expect(result.content).not.toContain(tip);
          expect(result.message.content).not.toContain(tip);
        }
      });

      it('should give the same events without the leading non-SSE line', () => {
        if (expected.facts.leading_non_sse_lines === 0) return;
        const withoutFirstLine = capture.stream.subarray(capture.stream.indexOf('\n') + 1);
        expect(withoutFirstLine.subarray(0, 12).toString()).toBe('event: ready');
        expect(parse(withoutFirstLine).events).toEqual(result.events);
      });

      it('should give the same events when fed in odd-sized chunks', () => {
        expect(parse(chunked(capture.stream, [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 4096])).events).toEqual(result.events);
      });
    },
  );

  describe('continue capture (completion + chat/continue)', () => {
    let capture: Capture;
    let round1: Buffer, round2: Buffer;
    let expected1: Record<string, any>, expected2: Record<string, any>;
    let result: ParseResult, firstRound: ParseResult;
    let secondRoundEvents: DeepSeekEvent[];
    beforeAll(() => {
      capture = continueCapture as Capture;
      [round1, round2] = splitRounds(capture.stream);
      [expected1, expected2] = capture.expected.rounds;
      result = parseBodies([round1, round2]);
      firstRound = parse(round1);
      secondRoundEvents = result.events.slice(firstRound.events.length);
    });

    it('should decode round 1 on its own', () => {
      expect(firstRound.reasoning).toBe(expected1.reasoning);
      expect(firstRound.content).toBe('');
      expect(firstRound.message).toMatchObject({
        reasoning: expected1.reasoning,
        content: expected1.content,
        status: expected1.status,
        quasiStatus: expected1.quasi_status,
        accumulatedTokenUsage: expected1.accumulated_token_usage,
        responseMessageId: expected1.response_message_id,
        title: expected1.title,
      });
      expect(lastOf(firstRound.events, 'status')?.status).toBe('INCOMPLETE');
    });

    it('should emit in round 2 only the thinking it had not streamed yet, then the answer', () => {
      expect(result.events.slice(0, firstRound.events.length)).toEqual(firstRound.events);
      const round2Text = foldText(secondRoundEvents);
      expect(round2Text.reasoning).toBe(expected2.reasoning_new_since_round1);
      expect(eventsOfType(secondRoundEvents, 'reasoning')[0].text).toBe(expected2.reasoning_new_from_snapshot);
      expect(round2Text.content).toBe(expected2.content);
      expect(lastOf(secondRoundEvents, 'status')?.status).toBe(expected2.status);
      expect(lastOf(secondRoundEvents, 'usage')?.totalTokens).toBe(expected2.accumulated_token_usage);
      expect(eventsOfType(secondRoundEvents, 'ids')).toHaveLength(1);
    });

    it('should stream the spliced message without duplicating round 1', () => {
      const { expected } = capture;
      expect(result.reasoning).toBe(expected1.reasoning + expected2.reasoning_new_since_round1);
      expect(result.reasoning).toBe(expected.reasoning);
      expect(result.reasoning).toHaveLength(expected.facts.reasoning_codepoints);
      expect(result.content).toBe(expected.content);
    });

    it('should describe the spliced message from the last document, with the title of round 1', () => {
      const { expected } = capture;
      expect(result.message).toMatchObject({
        format: 'C',
        reasoning: expected.reasoning,
        content: expected.content,
        status: expected.status,
        accumulatedTokenUsage: expected.accumulated_token_usage,
        responseMessageId: expected.response_message_id,
        title: expected.title,
      });
    });

    it('should give the same events when both rounds are fed in odd-sized chunks', () => {
      const sizes = [1, 7, 300, 2, 4096, 13, 65536];
      expect(parseBodies([chunked(round1, sizes), chunked(round2, sizes)]).events).toEqual(result.events);
    });
  });

  describe('any chunking', () => {
    it('should yield the same events for any split of a capture, 1-byte chunks included', () => {
      const small = singleRound.filter((capture) => capture.stream.length < 30_000);
      const whole = small.map((capture) => parse(capture.stream).events);
      fc.assert(
        fc.property(
          fc.nat({ max: small.length - 1 }),
          fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 64 }),
          (which, sizes) => {
            expect(parse(chunked(small[which].stream, sizes)).events).toEqual(whole[which]);
          },
        ),
        { numRuns: 60 },
      );
    });

    it('should yield the same events when every byte arrives alone', () => {
      const capture = singleRound[0];
      expect(parse(chunked(capture.stream, [1])).events).toEqual(parse(capture.stream).events);
    });
  });
});
