import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI } from '@langchain/openai';
import { generateText } from 'ai';
import type OpenAI from 'openai';
import { postChat } from '../../utils/chat-http';
import { readChatStream } from '../../utils/sse/chat-stream';
import { makeTokens } from '../../utils/secrets';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { upstreamMessages } from '../../utils/upstream-view';

const TOKENS = ['tok-conv-a', 'tok-conv-b', 'tok-conv-c'];
const USER = '<\uff5cUser\uff5c>';

/** `conversation_id` is a vendor extra the SDK types do not know: it travels as an extra body key. */
type WithConversation = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming & { conversation_id?: string };

describe('native continuation with conversation_id (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Echo: the answer is the prompt that reached the upstream, so each turn shows what was sent.
    stack = await startStack({ tokens: TOKENS, fake: { echo: true } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should continue the session with only the new turn, parent id = the answer id, on the owner account', async () => {
    const client = stack.openai([TOKENS[0]]);
    const first = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Name a colour.' },
      ],
    });
    const [turn1] = upstreamMessages(stack.fake);
    expect(first.id).toBe(`${turn1.sessionId}@2`);

    const second = await client.chat.completions.create({
      model: 'deepseek-chat',
      conversation_id: first.id,
      messages: [{ role: 'user', content: 'Another one.' }],
    } as WithConversation);

    expect(second.id).toBe(`${turn1.sessionId}@4`);
    expect(second.choices[0].message.content).toBe('Another one.');
    const [, turn2] = upstreamMessages(stack.fake);
    expect(turn2).toMatchObject({
      sessionId: turn1.sessionId,
      account: turn1.account,
      requestMessageId: 3,
      responseMessageId: 4,
      parentMessageId: 2,
      prompt: 'Another one.',
    });
    expect(Object.keys(stack.fake.state().sessions)).toEqual([turn1.sessionId]);
    expect(stack.fake.state().requests.chat_session_create).toBe(1);
    // As the web client: the model type on the session's first turn, null on follow-up turns.
    const [sent1, sent2] = stack.fake.state().sessions[turn1.sessionId].messages.map((m) => m.modelTypeSent);
    expect([sent1, sent2]).toEqual(['default', null]);
  });

  it('should send only the turns after the last assistant message when the full history comes with it', async () => {
    const client = stack.openai([TOKENS[0]]);
    const first = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Name a colour.' }],
    });

    await client.chat.completions.create({
      model: 'deepseek-chat',
      conversation_id: first.id,
      messages: [
        { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: first.choices[0].message.content },
        { role: 'user', content: 'Another one.' },
        { role: 'user', content: 'A warm one.' },
      ],
    } as WithConversation);

    expect(upstreamMessages(stack.fake)[1]).toMatchObject({
      parentMessageId: 2,
      prompt: 'Another one.\n\nA warm one.',
    });
  });

  it('should keep a conversation on the account that owns it when the request carries several tokens', async () => {
    const first = await stack.openai(TOKENS).chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Turn one.' }],
    });
    const owner = upstreamMessages(stack.fake)[0].account;

    // Least-recently-used picking would now choose another account for a fresh conversation.
    const reordered = [...TOKENS.filter((token) => token !== owner), owner];
    let id = first.id;
    for (const [i, text] of ['Turn two.', 'Turn three.'].entries()) {
      const res = await postChat(
        stack.baseURL,
        { model: 'deepseek-chat', stream: i === 1, conversation_id: id, messages: [{ role: 'user', content: text }] },
        { tokens: reordered },
      );
      id = i === 1 ? readChatStream(res.text).chunks[0].id : res.json.id;
    }
    const fresh = await stack.openai(reordered).chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Unrelated.' }],
    });

    const messages = upstreamMessages(stack.fake);
    expect(messages.map((m) => [m.account, m.parentMessageId, m.prompt])).toEqual([
      [owner, null, 'Turn one.'],
      [owner, 2, 'Turn two.'],
      [owner, 4, 'Turn three.'],
      [expect.not.stringMatching(owner), null, 'Unrelated.'],
    ]);
    expect(id).toBe(`${messages[0].sessionId}@6`);
    expect(fresh.id).toBe(`${messages[3].sessionId}@2`);
  });

  it('should carry conversation_id from the AI SDK (providerOptions) and LangChain (modelKwargs)', async () => {
    const provider = createOpenAICompatible({ name: 'gateway', baseURL: stack.baseURL, apiKey: TOKENS[1] });
    const first = await generateText({ model: provider('deepseek-chat'), prompt: 'One.', maxRetries: 0 });
    const second = await generateText({
      model: provider('deepseek-chat'),
      prompt: 'Two.',
      providerOptions: { gateway: { conversation_id: first.response.id } },
      maxRetries: 0,
    });
    const third = await new ChatOpenAI({
      model: 'deepseek-chat',
      apiKey: TOKENS[1],
      configuration: { baseURL: stack.baseURL },
      modelKwargs: { conversation_id: second.response.id },
      maxRetries: 0,
    }).invoke('Three.');

    const messages = upstreamMessages(stack.fake);
    expect(messages.map((m) => [m.sessionId, m.parentMessageId, m.prompt])).toEqual([
      [messages[0].sessionId, null, 'One.'],
      [messages[0].sessionId, 2, 'Two.'],
      [messages[0].sessionId, 4, 'Three.'],
    ]);
    expect(third.id).toBe(`${messages[0].sessionId}@6`);
  });

  it('should flatten as usual and start a new session without conversation_id', async () => {
    await stack.openai([TOKENS[0]]).chat.completions.create({
      model: 'deepseek-chat',
      messages: [
        { role: 'user', content: 'Name a colour.' },
        { role: 'assistant', content: 'Red.' },
        { role: 'user', content: 'Another one.' },
      ],
    });

    expect(upstreamMessages(stack.fake)).toMatchObject([
      {
        parentMessageId: null,
        prompt: `Name a colour.<\uff5cAssistant\uff5c>Red.<\uff5cend\u2581of\u2581sentence\uff5c>${USER}Another one.`,
      },
    ]);
  });

  it('should refuse a malformed conversation_id with 400 before any upstream call', async () => {
    const res = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', conversation_id: 'not-a-conversation', messages: [{ role: 'user', content: 'Hi' }] },
      { tokens: [TOKENS[0]] },
    );

    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: 'conversation_id',
        code: 'invalid_value',
      },
    });
    expect(stack.fake.state().requests.completion).toBeUndefined();
  });

  it('should not let a request without the owner account continue a conversation: 404, as for an unknown one', async () => {
    const first = await stack.openai([TOKENS[0]]).chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Mine.' }],
    });

    const res = await postChat(
      stack.baseURL,
      { model: 'deepseek-chat', conversation_id: first.id, messages: [{ role: 'user', content: 'Yours?' }] },
      { tokens: [TOKENS[1], TOKENS[2]] },
    );

    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: 'conversation_not_found', param: 'conversation_id' });
    expect(stack.fake.state().requests.completion).toBe(1);
  });

  it('should pass the upstream refusal of an unknown parent message on as a 400', async () => {
    const first = await stack.openai([TOKENS[0]]).chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Hi' }],
    });

    const res = await postChat(
      stack.baseURL,
      {
        model: 'deepseek-chat',
        conversation_id: first.id.replace(/@2$/, '@99'),
        messages: [{ role: 'user', content: 'Hi' }],
      },
      { tokens: [TOKENS[0]] },
    );

    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ type: 'invalid_request_error', code: 'upstream_rejected' });
    expect(upstreamMessages(stack.fake)).toHaveLength(1);
  });
});

describe('conversations are private to the API key that started them (managed mode, e2e)', () => {
  const [token] = makeTokens('private-conversation', 1);
  const KEYS = ['sk-alice-3f9c1a7e5b2d', 'sk-bob-8d2b6f0a4c1e'];
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: [token], env: { DEEPSEEK_TOKENS: token, API_KEYS: KEYS.join(',') } });
  });
  afterAll(() => stack?.close());

  const ask = (key: string, body: Record<string, unknown>) =>
    postChat(stack.baseURL, { model: 'deepseek-chat', ...body }, { headers: { authorization: `Bearer ${key}` } });

  it("should answer another key's conversation_id with 404 conversation_not_found, and its owner as usual", async () => {
    const first = await ask(KEYS[0], { messages: [{ role: 'user', content: 'A private matter.' }] });
    expect(first.status).toBe(200);
    const completions = stack.fake.state().requests.completion;

    const stranger = await ask(KEYS[1], {
      conversation_id: first.json.id,
      messages: [{ role: 'user', content: 'What did they say?' }],
    });

    expect(stranger.status).toBe(404);
    expect(stranger.json.error).toMatchObject({ code: 'conversation_not_found', param: 'conversation_id' });
    const unknown = await ask(KEYS[1], {
      conversation_id: first.json.id.replace(/^[0-9a-f]/, (c: string) => (c === '0' ? '1' : '0')),
      messages: [{ role: 'user', content: 'And this one?' }],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe(stranger.json.error.message);
    expect(stack.fake.state().requests.completion).toBe(completions);

    const owner = await ask(KEYS[0], {
      conversation_id: first.json.id,
      messages: [{ role: 'user', content: 'Go on.' }],
    });
    expect(owner.status).toBe(200);
  });
});
