import fc from 'fast-check';
import type { FakeDeepSeek, StreamFormat } from '../../test/fake-deepseek';
import type { HttpDeepSeekClient } from './http-deepseek.client';
import {
  ALICE,
  ClientFactory,
  useClientRig,
  collect,
  completionOptions,
  errorText,
  RecordingPowSolver,
  seenErrors,
} from '../../test/utils/deepseek/client-kit';

// The PoW worker compiles TypeScript on start; the machine is shared.
jest.setTimeout(60_000);

const REPLY = {
  reasoning: 'First, consider the greeting. Then answer kindly, with a smile 😊.',
  content: 'Hello! How can I help you today? Here is a longer answer, with some\n\nwhitespace and 中文 text.',
};
const SEARCH_RESULTS = [{ url: 'https://example.com/a', title: 'Example A', snippet: 'About A' }];

describe('HttpDeepSeekClient completions', () => {
  let fake: FakeDeepSeek;
  let pow: RecordingPowSolver;
  let clients: ClientFactory;
  let client: HttpDeepSeekClient;

  const rig = useClientRig({ accounts: [ALICE], reply: REPLY });
  beforeAll(() => ({ fake, pow, clients, client } = rig));

  describe.each<StreamFormat>(['A', 'B', 'C'])('in Format %s', (format) => {
    it.each([
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ])('should relay the whole answer with thinking %s and search %s', async (thinking, search) => {
      fake.configure({ format, searchResults: SEARCH_RESULTS });

      const completion = await client.startCompletion(completionOptions(ALICE, { thinking, search }));
      const result = await collect(completion.events);

      expect(result.error).toBeNull();
      expect(result.reasoning).toBe(thinking ? REPLY.reasoning : '');
      expect(result.content).toBe(search ? `${REPLY.content}[citation:1]` : REPLY.content);
      expect(result.statuses.at(-1)).toBe('FINISHED');
      expect(result.searches.length > 0).toBe(search);
      if (search) expect(result.searches.at(-1)?.[0]).toMatchObject({ url: SEARCH_RESULTS[0].url });
      expect(completion).toMatchObject({ requestMessageId: 1, responseMessageId: 2 });
      const state = fake.state();
      expect(Object.keys(state.sessions)).toEqual([completion.sessionId]);
      expect(state.sessions[completion.sessionId].messages[0]).toMatchObject({
        format,
        thinkingEnabled: thinking,
        searchEnabled: search,
        status: 'FINISHED',
        prompt: 'Hello there',
      });
      await fake.waitFor((s) => s.inFlight === 0);
    });
  });

  it('should relay any text exactly once, however the upstream frames it', async () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 });
    await fc.assert(
      fc.asyncProperty(
        text,
        text,
        fc.constantFrom<StreamFormat>('A', 'B', 'C'),
        fc.integer({ min: 0, max: 7 }),
        async (reasoning, content, format, charsPerFrame) => {
          fake.reset();
          fake.configure({ format, charsPerFrame, reply: { reasoning, content } });

          const result = await collect(
            (await client.startCompletion(completionOptions(ALICE, { thinking: true }))).events,
          );

          expect(result).toMatchObject({ reasoning, content, error: null });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('should send the model type and the prompt as given', async () => {
    const completion = await client.startCompletion(
      completionOptions(ALICE, { modelType: 'expert', prompt: 'S<｜User｜>U1' }),
    );
    await collect(completion.events);

    expect(fake.state().sessions[completion.sessionId].messages[0]).toMatchObject({
      modelType: 'expert',
      prompt: 'S<｜User｜>U1',
    });
  });

  it('should continue a session natively with the parent message id', async () => {
    const first = await client.startCompletion(completionOptions(ALICE));
    await collect(first.events);

    const second = await client.startCompletion(
      completionOptions(ALICE, { sessionId: first.sessionId, parentMessageId: first.responseMessageId }),
    );
    const result = await collect(second.events);

    expect(result.content).toBe(REPLY.content);
    expect(second).toMatchObject({ sessionId: first.sessionId, requestMessageId: 3, responseMessageId: 4 });
    const state = fake.state();
    expect(state.requests.chat_session_create).toBe(1);
    expect(state.sessions[first.sessionId].messages.map((m) => [m.parentMessageId, m.responseMessageId])).toEqual([
      [null, 2],
      [2, 4],
    ]);
  });

  describe('auto-continue', () => {
    it.each<[StreamFormat, boolean]>([
      ['C', false],
      ['C', true],
      ['B', false],
      ['B', true],
    ])(
      'should splice an INCOMPLETE Format %s answer (thinking %s) so every character arrives once',
      async (format, thinking) => {
        fake.configure({ format });
        fake.addFault({ fault: 'incomplete', account: ALICE, params: { afterTokens: 3, unsentChars: 2 } });

        const completion = await client.startCompletion(completionOptions(ALICE, { thinking }));
        const result = await collect(completion.events);

        expect(result.error).toBeNull();
        expect(result.reasoning).toBe(thinking ? REPLY.reasoning : '');
        expect(result.content).toBe(REPLY.content);
        expect(result.statuses).not.toContain('INCOMPLETE');
        expect(result.statuses.at(-1)).toBe('FINISHED');
        const state = fake.state();
        expect(state.requests.continue).toBe(1);
        expect(state.sessions[completion.sessionId].messages[0]).toMatchObject({ rounds: 2, status: 'FINISHED' });
      },
    );

    it('should continue a Format A answer cut with finish_reason length', async () => {
      fake.configure({ format: 'A' });
      fake.addFault({ fault: 'incomplete', account: ALICE, params: { afterTokens: 3 } });

      const result = await collect((await client.startCompletion(completionOptions(ALICE))).events);

      expect(result.content).toBe(REPLY.content);
    });

    it('should splice any text cut anywhere so that every character arrives once', async () => {
      const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 });
      await fc.assert(
        fc.asyncProperty(
          text,
          text,
          fc.constantFrom<StreamFormat>('B', 'C'),
          fc.integer({ min: 0, max: 30 }),
          fc.integer({ min: 0, max: 4 }),
          async (reasoning, content, format, afterTokens, unsentChars) => {
            fake.reset();
            fake.configure({ format, reply: { reasoning, content } });
            fake.addFault({ fault: 'incomplete', account: ALICE, params: { afterTokens, unsentChars } });

            const completion = await client.startCompletion(completionOptions(ALICE, { thinking: true }));
            const result = await collect(completion.events);

            expect(result).toMatchObject({ reasoning, content, error: null });
            expect(result.statuses.at(-1)).toBe('FINISHED');
          },
        ),
        { numRuns: 30 },
      );
    });

    it('should re-send the completion PoW header on continue without a new challenge', async () => {
      fake.addFault({ fault: 'incomplete', account: ALICE, params: { afterTokens: 2 } });
      const before = pow.calls;

      const completion = await client.startCompletion(completionOptions(ALICE));
      await collect(completion.events);

      const state = fake.state();
      expect(state.lastHeaders.continue?.['x-ds-pow-response']).toBe('<redacted>');
      expect(state.pow).toMatchObject({ issued: 1, verified: 2, rejected: [] });
      expect(pow.calls - before).toBe(1);
    });

    it('should stop after MAX_CONTINUE_ROUNDS and hand the INCOMPLETE status to the consumer', async () => {
      const bounded = clients.create(fake.url, { maxContinueRounds: 2 });
      fake.addFault({ fault: 'incomplete', account: ALICE, times: 3, params: { afterTokens: 2, unsentChars: 1 } });

      const completion = await bounded.startCompletion(completionOptions(ALICE));
      const result = await collect(completion.events);

      expect(result.error).toBeNull();
      expect(result.statuses.at(-1)).toBe('INCOMPLETE');
      const state = fake.state();
      expect(state.requests.continue).toBe(2);
      const message = state.sessions[completion.sessionId].messages[0];
      expect(message).toMatchObject({ rounds: 3, status: 'INCOMPLETE' });
      expect(result.content).toBe(message.content);
      expect(REPLY.content.startsWith(result.content)).toBe(true);
    });

    it('should hand INCOMPLETE over at once when continuing is switched off', async () => {
      const never = clients.create(fake.url, { maxContinueRounds: 0 });
      fake.addFault({ fault: 'incomplete', account: ALICE, params: { afterTokens: 2 } });

      const result = await collect((await never.startCompletion(completionOptions(ALICE))).events);

      expect(result.statuses.at(-1)).toBe('INCOMPLETE');
      expect(fake.state().requests.continue).toBeUndefined();
    });
  });

  it('should put no token or PoW secret in any error it raised', () => {
    const secrets = [ALICE, ...pow.secrets()];
    for (const error of seenErrors) for (const secret of secrets) expect(errorText(error)).not.toContain(secret);
  });
});
