import { AIMessage, type AIMessageChunk, HumanMessage, SystemMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { startStack, type Stack } from '../../utils/stack';
import { expectAllIdle } from '../../utils/settle';
import { onlyUpstreamMessage } from '../../utils/upstream-view';

const USER = '<\uff5cUser\uff5c>';
const ASSISTANT = '<\uff5cAssistant\uff5c>';
const END = '<\uff5cend\u2581of\u2581sentence\uff5c>';
const REPLY = { reasoning: 'Recall the poem.', content: 'The road not taken.' };

describe('@langchain/openai against the gateway (e2e)', () => {
  let stack: Stack;
  const chat = (model: string) =>
    new ChatOpenAI({ model, apiKey: 'tok-lc', configuration: { baseURL: stack.baseURL }, maxRetries: 0 });

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-lc'], fake: { reply: REPLY } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  it('should invoke and read content, reasoning, usage and finish reason', async () => {
    const message = await chat('deepseek-reasoner').invoke('Which road?');

    expect(message.content).toBe(REPLY.content);
    expect(message.additional_kwargs.reasoning_content).toBe(REPLY.reasoning);
    expect(message.response_metadata).toMatchObject({ finish_reason: 'stop', model_name: 'deepseek-reasoner' });
    const usage = message.usage_metadata!;
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(usage.output_token_details?.reasoning).toBeGreaterThan(0);
    const upstream = onlyUpstreamMessage(stack.fake);
    expect(message.id).toBe(`${upstream.sessionId}@2`);
    expect(upstream).toMatchObject({ prompt: 'Which road?', thinkingEnabled: true });
  });

  it('should stream chunks that concatenate to the answer, with usage (streamUsage is on by default)', async () => {
    let merged: AIMessageChunk | undefined;
    let count = 0;
    for await (const chunk of await chat('deepseek-reasoner').stream('Which road?')) {
      merged = merged ? merged.concat(chunk) : chunk;
      count++;
    }

    expect(count).toBeGreaterThan(2);
    expect(merged!.content).toBe(REPLY.content);
    expect(merged!.additional_kwargs.reasoning_content).toBe(REPLY.reasoning);
    expect(merged!.response_metadata).toMatchObject({ finish_reason: 'stop' });
    expect(merged!.usage_metadata!.total_tokens).toBe(
      merged!.usage_metadata!.input_tokens + merged!.usage_metadata!.output_tokens,
    );
  });

  it('should send a multi-turn conversation upstream as one flattened prompt', async () => {
    const message = await chat('deepseek-chat').invoke([
      new SystemMessage('You quote poems.'),
      new HumanMessage('Who wrote it?'),
      new AIMessage('Robert Frost.'),
      new HumanMessage('Which poem?'),
    ]);

    expect(message.content).toBe(REPLY.content);
    expect(onlyUpstreamMessage(stack.fake)).toMatchObject({
      prompt: `You quote poems.${USER}Who wrote it?${ASSISTANT}Robert Frost.${END}${USER}Which poem?`,
      thinkingEnabled: false,
    });
  });
});
