import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { toolLoopModel, toolResultsIn } from '../../fake-deepseek/tool-model';
import { rawRequest } from '../../utils/http/raw-request';
import { parseExposition, valueOf } from '../../utils/prometheus';
import { expectAllIdle, expectSettled } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { startTestApp } from '../../utils/test-app';
import { upstreamMessages } from '../../utils/upstream-view';

const TOKENS = ['tok-thread-a', 'tok-thread-b'];
const USER = '<\uff5cUser\uff5c>';

/** Plays a chat the way OpenAI clients do: the whole history on every turn. */
async function chat(client: OpenAI, history: ChatCompletionMessageParam[], turns: string[]): Promise<void> {
  for (const turn of turns) {
    history.push({ role: 'user', content: turn });
    const completion = await client.chat.completions.create({ model: 'deepseek-chat', messages: history });
    history.push({ role: 'assistant', content: completion.choices[0].message.content });
  }
}

/** `conversation_turns_total{outcome}` on the gateway's /metrics. */
async function conversationTurns(stack: Stack, outcome: string): Promise<number> {
  const exposition = parseExposition((await rawRequest(`${stack.server.url}/metrics`)).text);
  return valueOf(exposition, 'deepseek_gateway_conversation_turns_total', { outcome }) ?? 0;
}

describe('native multi-turn: a history we answered continues its upstream chat (e2e)', () => {
  jest.setTimeout(30_000);
  let stack: Stack;
  const sessions = () => Object.keys(stack.fake.state().sessions);
  const metric = (outcome: string) => conversationTurns(stack, outcome);

  beforeAll(async () => {
    stack = await startStack({ tokens: TOKENS, fake: { reply: { content: 'Noted.' } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should send only the new turn after the first, in one chat, each turn after our last answer', async () => {
    const continued = await metric('continued');
    const history: ChatCompletionMessageParam[] = [{ role: 'system', content: 'Be brief.' }];
    await chat(stack.openai(), history, ['One.', 'Two.', 'Three.', 'Four.', 'Five.']);
    const messages = upstreamMessages(stack.fake);
    expect(sessions()).toHaveLength(1);
    expect(messages.map((m) => m.prompt)).toEqual([`Be brief.${USER}One.`, 'Two.', 'Three.', 'Four.', 'Five.']);
    expect(messages.slice(1).map((m) => m.parentMessageId)).toEqual(
      messages.slice(0, -1).map((m) => m.responseMessageId),
    );
    expect(new Set(messages.map((m) => m.account)).size).toBe(1);
    expect(await metric('continued')).toBe(continued + 4);
  });

  it('should run a runTools loop in one chat, each step sending only the tool results', async () => {
    stack.fake.configure({
      replyFor: toolLoopModel([
        [{ name: 'get_time', args: { timezone: 'UTC' } }],
        (seen) => `Done: ${toolResultsIn(seen).join('')}`,
      ]),
    });
    const runner = stack.openai().chat.completions.runTools({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Time?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_time',
            description: 'The time',
            parameters: { type: 'object', properties: { timezone: { type: 'string' } } },
            function: () => 'noon',
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('Done: get_time: noon');
    const [first, second] = upstreamMessages(stack.fake);
    expect(sessions()).toHaveLength(1);
    expect(first.prompt).toContain('### get_time');
    expect(second.prompt).toMatch(
      /^<tool_results>\n<result name="get_time" call_id="call_\w{24}">noon<\/result>\n<\/tool_results>/,
    );
    expect(second.parentMessageId).toBe(first.responseMessageId);
  });

  it('should start a new chat with the whole history when an earlier message was edited', async () => {
    const history: ChatCompletionMessageParam[] = [];
    await chat(stack.openai(), history, ['One.', 'Two.']);
    history[0] = { role: 'user', content: 'One, edited.' };
    await chat(stack.openai(), history, ['Three.']);
    expect(sessions()).toHaveLength(2);
    expect(upstreamMessages(stack.fake).at(-1)?.prompt).toBe(
      `One, edited.${USER.replace('User', 'Assistant')}Noted.<\uff5cend\u2581of\u2581sentence\uff5c>${USER}Two.` +
        `${USER.replace('User', 'Assistant')}Noted.<\uff5cend\u2581of\u2581sentence\uff5c>${USER}Three.`,
    );
  });

  it('should start cleanly in a new chat after a restart, when nothing is remembered', async () => {
    const history: ChatCompletionMessageParam[] = [];
    await chat(stack.openai(), history, ['One.']);
    const restarted = await startTestApp({ DEEPSEEK_BASE_URL: stack.fake.url });
    try {
      const client = new OpenAI({ baseURL: `${restarted.url}/v1`, apiKey: TOKENS.join(','), maxRetries: 0 });
      await chat(client, history, ['Two.']);
    } finally {
      await restarted.close();
    }
    expect(sessions()).toHaveLength(2);
    expect(upstreamMessages(stack.fake).at(-1)?.parentMessageId).toBeNull();
  });

  it('should serialise two concurrent turns of one conversation on its account, both after the same answer', async () => {
    const history: ChatCompletionMessageParam[] = [];
    await chat(stack.openai(), history, ['One.']);
    stack.fake.configure({ tokenDelayMs: 20 });
    const client = stack.openai();
    const turn = (content: string) =>
      client.chat.completions.create({ model: 'deepseek-chat', messages: [...history, { role: 'user', content }] });
    await Promise.all([turn('Two A.'), turn('Two B.')]);
    const [first, ...next] = upstreamMessages(stack.fake);
    expect(sessions()).toHaveLength(1);
    expect(next.map((m) => m.parentMessageId)).toEqual([first.responseMessageId, first.responseMessageId]);
    expect(next.map((m) => m.prompt).sort()).toEqual(['Two A.', 'Two B.']);
    // One generation per account: the second started after the first had finished.
    expect(next[1].startedAt).toBeGreaterThanOrEqual(next[0].endedAt ?? Infinity);
  });
});

describe('native multi-turn when the account holding the chat cannot serve (e2e)', () => {
  let stack: Stack;
  const metric = (outcome: string) => conversationTurns(stack, outcome);

  beforeAll(async () => {
    stack = await startStack({ tokens: TOKENS, fake: { reply: { content: 'Noted.' } } });
  });
  afterAll(() => stack.close());
  // The muted account stays muted in the pool: only leases and generations must be settled.
  afterEach(() => expectSettled(stack));

  it('should fall back to a new chat with the whole history when the owner account is muted', async () => {
    const history: ChatCompletionMessageParam[] = [];
    await chat(stack.openai(), history, ['One.']);
    const [first] = upstreamMessages(stack.fake);
    stack.fake.addFault({ fault: 'muted', account: first.account, endpoint: 'completion' });
    await chat(stack.openai(), history, ['Two.']);
    const second = upstreamMessages(stack.fake).at(-1)!;
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.account).not.toBe(first.account);
    expect(second.prompt).toContain(`One.`);
    expect(second.prompt.endsWith(`${USER}Two.`)).toBe(true);
    expect(await metric('fallback')).toBe(1);
  });
});

describe('native multi-turn across API keys (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: ['tok-thread-pool'],
      env: { DEEPSEEK_TOKENS: 'tok-thread-pool', API_KEYS: 'key-one-0123456789abcdef,key-two-0123456789abcdef' },
      fake: { reply: { content: 'Noted.' } },
    });
  });
  afterAll(() => stack.close());
  afterEach(() => expectAllIdle(stack));

  it('should never let another API key continue a conversation', async () => {
    const history: ChatCompletionMessageParam[] = [];
    await chat(stack.openai(['key-one-0123456789abcdef']), history, ['One.']);
    await chat(stack.openai(['key-two-0123456789abcdef']), history, ['Two.']);
    expect(Object.keys(stack.fake.state().sessions)).toHaveLength(2);
    expect(upstreamMessages(stack.fake).at(-1)?.parentMessageId).toBeNull();
  });
});

describe('SESSION_CLEANUP=delete-after (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: ['tok-cleanup-pool', 'tok-cleanup-client'],
      env: {
        DEEPSEEK_TOKENS: 'tok-cleanup-pool',
        SESSION_CLEANUP: 'delete-after',
        CONVERSATION_TTL_MS: '300',
      },
      fake: { reply: { content: 'Noted.' } },
    });
  });
  afterAll(() => stack.close());
  afterEach(() => expectAllIdle(stack));

  it('should delete the chats it created on its own accounts once unused for the TTL', async () => {
    const history: ChatCompletionMessageParam[] = [];
    await chat(stack.openai(['tok-cleanup-pool']), history, ['One.', 'Two.']);
    const [session] = Object.values(stack.fake.state().sessions);
    expect(session.messages).toHaveLength(2);
    expect(session.deleted).toBe(false);
    await stack.fake.waitFor((state) => state.sessions[session.id].deleted, 5_000);
  });
});

describe("SESSION_CLEANUP=delete-after with the client's own tokens (e2e)", () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: ['tok-cleanup-direct'],
      env: { SESSION_CLEANUP: 'delete-after', CONVERSATION_TTL_MS: '100' },
      fake: { reply: { content: 'Noted.' } },
    });
  });
  afterAll(() => stack.close());
  afterEach(() => expectAllIdle(stack));

  it("should leave chats on a client's token alone: the token is not kept to delete them later", async () => {
    await chat(stack.openai(), [], ['One.']);
    // Several sweeps of the TTL pass.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(Object.values(stack.fake.state().sessions).map((session) => session.deleted)).toEqual([false]);
  });
});
