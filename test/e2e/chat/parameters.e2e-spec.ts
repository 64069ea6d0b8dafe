import OpenAI from 'openai';
import { startStack, type Stack } from '../../utils/stack';
import { expectAllIdle } from '../../utils/settle';
import { onlyUpstreamMessage } from '../../utils/upstream-view';

const BEFORE = 'Paris is the capital of France.';
const STOP = '<END>';
/** Long enough after the stop string that the fake is still writing when the gateway stops it. */
const REPLY = `${BEFORE}${STOP}${' Rome is the capital of Italy.'.repeat(8)}`;
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Capitals?' }];

describe('request parameters through the openai SDK (e2e)', () => {
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-params'], fake: { reply: { content: REPLY } } });
    client = stack.openai();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.fake.reset();
    stack.fake.configure({ tokenDelayMs: 20 });
  });
  afterEach(() => expectAllIdle(stack));

  /** The gateway stopped the generation upstream (stop_stream or the dropped body) and freed the account. */
  async function expectUpstreamStopped(): Promise<void> {
    await stack.fake.waitFor((s) => (s.requests.stop_stream ?? 0) === 1 && s.inFlight === 0);
    const message = onlyUpstreamMessage(stack.fake);
    expect(message.status).toBe('INCOMPLETE');
    expect(message.content.length).toBeLessThan(REPLY.length);
  }

  it('should end a JSON answer before the stop string, with finish_reason stop', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-chat', messages, stop: STOP });

    expect(completion.choices[0].message.content).toBe(BEFORE);
    expect(completion.choices[0].finish_reason).toBe('stop');
    await expectUpstreamStopped();
  });

  it('should end a stream before the stop string, split across upstream frames, with finish_reason stop', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages,
      stop: ['\n\n', STOP],
      stream: true,
    });
    let content = '';
    const reasons: (string | null)[] = [];
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      reasons.push(chunk.choices[0]?.finish_reason ?? null);
    }

    expect(content).toBe(BEFORE);
    expect(reasons.filter(Boolean)).toEqual(['stop']);
    await expectUpstreamStopped();
  });

  it('should refuse a fifth stop string with a 400 naming stop', async () => {
    const error: unknown = await client.chat.completions
      .create({ model: 'deepseek-chat', messages, stop: ['a', 'b', 'c', 'd', 'e'] })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'stop', code: 'array_above_max_length' });
  });

  it('should cut a JSON answer at max_tokens, with finish_reason length and usage within the limit', async () => {
    const completion = await client.chat.completions.create({ model: 'deepseek-chat', messages, max_tokens: 5 });

    const content = completion.choices[0].message.content ?? '';
    expect(completion.choices[0].finish_reason).toBe('length');
    expect(content.length).toBeGreaterThan(0);
    expect(REPLY.startsWith(content)).toBe(true);
    expect(content.length).toBeLessThan(BEFORE.length);
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(5);
    await expectUpstreamStopped();
  });

  it('should cut a stream at max_completion_tokens, with finish_reason length', async () => {
    const stream = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages,
      max_completion_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let reason: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      reason = chunk.choices[0]?.finish_reason ?? reason;
      usage = chunk.usage ?? usage;
    }

    expect(reason).toBe('length');
    expect(REPLY.startsWith(content)).toBe(true);
    expect(content.length).toBeLessThan(BEFORE.length);
    expect(usage!.completion_tokens).toBeLessThanOrEqual(5);
    await expectUpstreamStopped();
  });

  it('should refuse temperature 9 with a BadRequestError naming the field, before any upstream call', async () => {
    const error: unknown = await client.chat.completions
      .create({ model: 'deepseek-chat', messages, temperature: 9 })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'temperature', code: 'decimal_above_max_value' });
    expect((error as Error).message).toContain("'temperature'");
    expect(stack.fake.state().requests.completion ?? 0).toBe(0);
  });

  it('should accept temperature and the other sampling knobs within their ranges', async () => {
    stack.fake.configure({ tokenDelayMs: 0 });
    const completion = await client.chat.completions.create({
      model: 'deepseek-chat',
      messages,
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      presence_penalty: 0.5,
      user: 'someone',
    });

    expect(completion.choices[0].finish_reason).toBe('stop');
  });

  it('should refuse an audio part with a 400 naming the part', async () => {
    const error: unknown = await client.chat.completions
      .create({
        model: 'deepseek-chat',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is said in this recording?' },
              { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
            ],
          },
        ],
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'messages[2].content[1]', code: 'unsupported_content' });
  });

  it('should refuse n: 2 and logprobs as unsupported parameters', async () => {
    for (const [extra, param] of [
      [{ n: 2 }, 'n'],
      [{ logprobs: true }, 'logprobs'],
    ] as const) {
      const error: unknown = await client.chat.completions
        .create({ model: 'deepseek-chat', messages, ...extra })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 400, param, code: 'unsupported_parameter' });
    }
  });
});
