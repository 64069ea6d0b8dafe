import { createOpenAICompatible, type OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';
import { generateText, streamText } from 'ai';
import { startStack, type Stack } from '../../utils/stack';
import { expectAllIdle } from '../../utils/settle';
import { onlyUpstreamMessage } from '../../utils/upstream-view';

const USER = '<\uff5cUser\uff5c>';
const ASSISTANT = '<\uff5cAssistant\uff5c>';
const END = '<\uff5cend\u2581of\u2581sentence\uff5c>';
const REPLY = { reasoning: 'Count the letters.', content: 'There are three r letters in strawberry.' };

describe('the AI SDK (ai + @ai-sdk/openai-compatible) against the gateway (e2e)', () => {
  let stack: Stack;
  let withUsage: OpenAICompatibleProvider;
  let withoutUsage: OpenAICompatibleProvider;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-ai'], fake: { reply: REPLY } });
    const settings = { name: 'gateway', baseURL: stack.baseURL, apiKey: 'tok-ai' };
    withUsage = createOpenAICompatible({ ...settings, includeUsage: true });
    withoutUsage = createOpenAICompatible(settings);
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should generateText with text, reasoning, finish reason and usage', async () => {
    const result = await generateText({
      model: withUsage('deepseek-reasoner'),
      prompt: 'How many r in strawberry?',
      maxRetries: 0,
    });

    expect(result.text).toBe(REPLY.content);
    expect(result.reasoningText).toBe(REPLY.reasoning);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens! + result.usage.outputTokens!);
    expect(result.usage.outputTokenDetails.reasoningTokens).toBeGreaterThan(0);
    const message = onlyUpstreamMessage(stack.fake);
    expect(result.response.id).toBe(`${message.sessionId}@2`);
    expect(message).toMatchObject({ prompt: 'How many r in strawberry?', thinkingEnabled: true });
  });

  it('should streamText reasoning parts before text parts, with usage when includeUsage is set', async () => {
    const result = streamText({ model: withUsage('deepseek-reasoner'), prompt: 'How many r?', maxRetries: 0 });
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);

    expect(types).not.toContain('error');
    expect(types.lastIndexOf('reasoning-delta')).toBeLessThan(types.indexOf('text-delta'));
    expect(await result.text).toBe(REPLY.content);
    expect(await result.reasoningText).toBe(REPLY.reasoning);
    expect(await result.finishReason).toBe('stop');
    const usage = await result.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.totalTokens).toBe(usage.inputTokens! + usage.outputTokens!);
    expect(usage.outputTokenDetails.reasoningTokens).toBeGreaterThan(0);
  });

  it('should leave usage unknown in streamText without includeUsage, as no usage chunk was asked for', async () => {
    const result = streamText({ model: withoutUsage('deepseek-chat'), prompt: 'How many r?', maxRetries: 0 });

    expect(await result.text).toBe(REPLY.content);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).inputTokens).toBeUndefined();
  });

  it('should send a multi-turn conversation upstream as one flattened prompt', async () => {
    const result = await generateText({
      model: withUsage('deepseek-chat'),
      system: 'Be terse.',
      messages: [
        { role: 'user', content: 'Spell strawberry.' },
        { role: 'assistant', content: 'S-T-R-A-W-B-E-R-R-Y.' },
        { role: 'user', content: 'How many r?' },
      ],
      maxRetries: 0,
    });

    expect(result.text).toBe(REPLY.content);
    expect(onlyUpstreamMessage(stack.fake).prompt).toBe(
      `Be terse.${USER}Spell strawberry.${ASSISTANT}S-T-R-A-W-B-E-R-R-Y.${END}${USER}How many r?`,
    );
  });

  it('should accept the reasoning_content the AI SDK sends back on assistant turns, and not send it upstream', async () => {
    const bodies: any[] = [];
    const recording = createOpenAICompatible({
      name: 'gateway',
      baseURL: stack.baseURL,
      apiKey: 'tok-ai',
      fetch: (input, init) => {
        bodies.push(JSON.parse(init?.body as string));
        return fetch(input, init);
      },
    });
    const first = await generateText({ model: recording('deepseek-reasoner'), prompt: 'How many r?', maxRetries: 0 });
    stack.fake.reset();

    const second = await generateText({
      model: recording('deepseek-reasoner'),
      messages: [
        { role: 'user', content: 'How many r?' },
        ...first.response.messages,
        { role: 'user', content: 'Sure?' },
      ],
      maxRetries: 0,
    });

    expect(bodies[1].messages[1]).toMatchObject({ role: 'assistant', reasoning_content: REPLY.reasoning });
    expect(second.text).toBe(REPLY.content);
    expect(onlyUpstreamMessage(stack.fake).prompt).toBe(`How many r?${ASSISTANT}${REPLY.content}${END}${USER}Sure?`);
  });
});
