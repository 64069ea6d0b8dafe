import type { FakeDeepSeek } from '../../test/fake-deepseek';
import { describeWithShared, loadCaptures } from '../../test/utils/shared-fixtures';
import type { HttpDeepSeekClient } from './http-deepseek.client';
import { ALICE, useClientRig, collect, completionOptions } from '../../test/utils/deepseek/client-kit';

jest.setTimeout(60_000);

describeWithShared('HttpDeepSeekClient on replayed captures', () => {
  const captures = loadCaptures();
  let fake: FakeDeepSeek;
  let client: HttpDeepSeekClient;

  const rig = useClientRig({ accounts: [ALICE] });
  beforeAll(() => ({ fake, client } = rig));

  it('should have captures to replay', () => {
    expect(captures.length).toBeGreaterThanOrEqual(5);
  });

  it.each(captures.map((capture) => [capture.id, capture] as const))(
    'should relay %s with every character once, continue rounds spliced',
    async (id, { expected }) => {
      fake.configure({ replay: id });

      const completion = await client.startCompletion(
        completionOptions(ALICE, { thinking: expected.thinking_enabled, search: expected.search_enabled }),
      );
      const result = await collect(completion.events);

      expect(result.error).toBeNull();
      expect(result.reasoning).toBe(expected.reasoning);
      expect(result.content).toBe(expected.content);
      expect(result.statuses.at(-1)).toBe(expected.status);
      expect(result.statuses).not.toContain('INCOMPLETE');
      expect(completion.responseMessageId).toBe(expected.response_message_id);
      const usage = result.events.filter((event) => event.type === 'usage').at(-1);
      expect(usage).toEqual({ type: 'usage', totalTokens: expected.accumulated_token_usage });
      expect(fake.state().requests.continue ?? 0).toBe((expected.rounds_count ?? 1) - 1);
    },
  );
});
