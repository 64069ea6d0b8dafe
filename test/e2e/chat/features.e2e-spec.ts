import { tokenize, type FaultSpec, type FakeConfigPatch, type StreamFormat } from '../../fake-deepseek';
import { postChat, withoutIdentity } from '../../utils/chat-http';
import { type RawResponse } from '../../utils/http/raw-request';
import { readChatStream } from '../../utils/sse/chat-stream';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { onlyUpstreamMessage } from '../../utils/upstream-view';

const TOKEN = 'tok-features';
const FORMATS: StreamFormat[] = ['A', 'B', 'C'];
const REASONING = 'The user asks about Paris.';
const ANSWER = 'Paris is the capital of France.';
/** With search on, the answer cites result 2, then result 1. */
const SEARCH_ANSWER = 'Paris is the capital[citation:2] of France[citation:1].';
const RESULTS = [
  { url: 'https://example.com/paris', title: 'Paris - Wikipedia', snippet: 'Paris is the capital of France.' },
  { url: 'https://example.com/france', title: 'France', snippet: 'A country in Europe.' },
];
const LINKED_ANSWER =
  'Paris is the capital[[2]](https://example.com/france) of France[[1]](https://example.com/paris).';
const SOURCE_LIST =
  '\n\n**Sources**\n\n- [1] [Paris - Wikipedia](https://example.com/paris)\n- [2] [France](https://example.com/france)';
const FOLD_OPEN = '<details><summary>Thinking</summary>\n\n';
const FOLD_CLOSE = '\n\n</details>\n\n';
const TEMPLATE = '你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。';

describe('chat features through the gateway (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      tokens: [TOKEN],
      fake: {
        searchResults: RESULTS,
        reply: { reasoning: REASONING },
        replyFor: (request) => ({ content: request.searchEnabled ? SEARCH_ANSWER : ANSWER }),
      },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  const messages = [{ role: 'user', content: 'What is the capital of France?' }];
  const stream = async (body: Record<string, unknown>) => {
    const res = await postChat(stack.baseURL, { messages, ...body, stream: true }, { tokens: [TOKEN] });
    expect(res.status).toBe(200);
    return readChatStream(res.text);
  };
  const complete = async (body: Record<string, unknown>) => {
    const res = await postChat(stack.baseURL, { messages, ...body }, { tokens: [TOKEN] });
    expect(res.status).toBe(200);
    return res.json;
  };

  describe('thinking', () => {
    it('should stream reasoning_content before content for a thinking model, and say so upstream', async () => {
      const result = await stream({ model: 'deepseek-reasoner' });

      expect(result).toMatchObject({ reasoning: REASONING, content: ANSWER, finishReason: 'stop', done: true });
      const kinds = result.chunks.map((chunk) => Object.keys(chunk.choices[0]?.delta ?? {})[0]);
      expect(kinds.lastIndexOf('reasoning_content')).toBeLessThan(kinds.indexOf('content', 1));
      expect(onlyUpstreamMessage(stack.fake)).toMatchObject({ thinkingEnabled: true, searchEnabled: false });
    });

    it.each<[string, Record<string, unknown>, boolean]>([
      ['deepseek-r1', {}, true],
      ['deepseek-think', {}, true],
      ['deepseek-chat', { thinking: { type: 'enabled' } }, true],
      ['deepseek-chat', { reasoning_effort: 'high' }, true],
      ['deepseek-reasoner', { reasoning_effort: 'none' }, false],
      ['deepseek-chat', {}, false],
    ])('should let %s with %j think: %s', async (model, extra, thinking) => {
      const completion = await complete({ model, ...extra });

      expect(onlyUpstreamMessage(stack.fake).thinkingEnabled).toBe(thinking);
      expect(completion.choices[0].message.reasoning_content).toBe(thinking ? REASONING : undefined);
    });
  });

  describe('search', () => {
    it('should link citations to their sources and list the cited sources, streamed and not', async () => {
      const streamed = await stream({ model: 'deepseek-chat-search' });
      const completion = await complete({ model: 'deepseek-chat-search' });

      expect(streamed).toMatchObject({ content: LINKED_ANSWER + SOURCE_LIST, reasoning: '', finishReason: 'stop' });
      expect(completion.choices[0].message.content).toBe(LINKED_ANSWER + SOURCE_LIST);
      expect(stack.fake.state().sessions).not.toEqual({});
      for (const session of Object.values(stack.fake.state().sessions)) {
        expect(session.messages[0]).toMatchObject({ searchEnabled: true, thinkingEnabled: false });
      }
    });

    it('should think and search together for deepseek-r1-search', async () => {
      const completion = await complete({ model: 'deepseek-r1-search' });

      expect(completion.choices[0].message).toMatchObject({
        content: LINKED_ANSWER + SOURCE_LIST,
        reasoning_content: REASONING,
      });
      expect(onlyUpstreamMessage(stack.fake)).toMatchObject({ searchEnabled: true, thinkingEnabled: true });
    });
  });

  describe('fold', () => {
    it('should fold the reasoning into the content as a details block, streamed and not', async () => {
      const streamed = await stream({ model: 'deepseek-r1-fold' });
      const completion = await complete({ model: 'deepseek-r1-fold' });

      const folded = `${FOLD_OPEN}${REASONING}${FOLD_CLOSE}${ANSWER}`;
      expect(streamed).toMatchObject({ content: folded, reasoning: '', finishReason: 'stop' });
      expect(completion.choices[0].message).toEqual({ role: 'assistant', content: folded, refusal: null });
    });
  });

  describe('silent', () => {
    it('should show neither reasoning nor a source list, while the upstream still thinks and searches', async () => {
      const streamed = await stream({ model: 'deepseek-r1-search-silent' });
      const completion = await complete({ model: 'deepseek-r1-search-silent' });

      expect(streamed).toMatchObject({ content: LINKED_ANSWER, reasoning: '', finishReason: 'stop' });
      expect(completion.choices[0].message).toEqual({ role: 'assistant', content: LINKED_ANSWER, refusal: null });
      expect(completion.usage.completion_tokens_details.reasoning_tokens).toBeGreaterThan(0);
      for (const session of Object.values(stack.fake.state().sessions)) {
        expect(session.messages[0]).toMatchObject({ searchEnabled: true, thinkingEnabled: true });
      }
    });
  });

  describe('model type', () => {
    it.each([
      ['deepseek-v4-pro', 'expert'],
      ['deepseek-v4-pro-search', 'expert'],
      ['deepseek-v4-flash', 'default'],
      ['deepseek-chat', 'default'],
    ])('should send %s upstream as model_type %s', async (model, modelType) => {
      const completion = await complete({ model });

      expect(completion.model).toBe(model);
      expect(onlyUpstreamMessage(stack.fake).modelType).toBe(modelType);
    });
  });

  describe('auto-continue', () => {
    const incomplete = (): FaultSpec => ({
      fault: 'incomplete',
      account: TOKEN,
      endpoint: 'completion',
      params: { afterTokens: 8, unsentChars: 2 },
    });

    const expectContinued = async (format: StreamFormat) => {
      stack.fake.configure({ format });
      stack.fake.addFault(incomplete());
      const streamed = await stream({ model: 'deepseek-reasoner', stream_options: { include_usage: true } });
      stack.fake.addFault(incomplete());
      const completion = await complete({ model: 'deepseek-reasoner' });

      expect(streamed).toMatchObject({ reasoning: REASONING, content: ANSWER, finishReason: 'stop', done: true });
      expect(completion.choices[0]).toMatchObject({
        message: { content: ANSWER, reasoning_content: REASONING },
        finish_reason: 'stop',
      });
      expect(stack.fake.state().requests.continue).toBe(2);
      for (const session of Object.values(stack.fake.state().sessions)) {
        expect(session.messages[0]).toMatchObject({ status: 'FINISHED', rounds: 2 });
      }
    };

    it.each<StreamFormat>(['B', 'C'])('should continue an INCOMPLETE answer to its end (format %s)', expectContinued);

    it('should continue an INCOMPLETE answer to its end (format A)', () => expectContinued('A'));
  });

  describe('content filter', () => {
    /** Cut inside the answer: three answer tokens reach the client before the filter. */
    const filterAfterThreeAnswerTokens = (format: StreamFormat) => {
      stack.fake.configure({ format });
      const afterTokens = tokenize(REASONING).length + 3;
      const fault: FaultSpec = {
        fault: 'content_filter',
        account: TOKEN,
        endpoint: 'completion',
        params: { afterTokens },
      };
      stack.fake.addFault(fault, fault);
    };
    const sent = tokenize(ANSWER).slice(0, 3).join('');

    const expectFiltered = async (format: StreamFormat) => {
      filterAfterThreeAnswerTokens(format);
      const streamed = await stream({ model: 'deepseek-reasoner' });
      const completion = await complete({ model: 'deepseek-reasoner' });

      // A stream cannot take back what it sent; the template follows in a paragraph of its own.
      expect(streamed).toMatchObject({
        reasoning: REASONING,
        content: `${sent}\n\n${TEMPLATE}`,
        finishReason: 'content_filter',
        done: true,
      });
      // A non-stream answer can: the template alone (docs/protocol.md §8.6).
      expect(completion.choices[0]).toMatchObject({
        message: { content: TEMPLATE, reasoning_content: REASONING },
        finish_reason: 'content_filter',
      });
      expect(JSON.stringify(completion)).not.toContain('CONTENT_FILTER');
    };

    it.each<StreamFormat>(['A', 'B', 'C'])(
      'should end a filtered answer with the template (format %s)',
      expectFiltered,
    );

    it('should close the fold block before the template when the filter stops the thinking', async () => {
      stack.fake.addFault({
        fault: 'content_filter',
        account: TOKEN,
        endpoint: 'completion',
        params: { afterTokens: 2 },
      });

      const streamed = await stream({ model: 'deepseek-r1-fold' });

      const thought = tokenize(REASONING).slice(0, 2).join('');
      expect(streamed.content).toBe(`${FOLD_OPEN}${thought}${FOLD_CLOSE}${TEMPLATE}`);
    });
  });

  describe('the same request through upstream formats A, B and C', () => {
    interface Scenario {
      name: string;
      body: Record<string, unknown>;
      config?: FakeConfigPatch;
      fault?: Omit<FaultSpec, 'account'>;
    }
    const scenarios: Scenario[] = [
      { name: 'a plain answer', body: { model: 'deepseek-chat' } },
      { name: 'reasoning with usage', body: { model: 'deepseek-reasoner', stream_options: { include_usage: true } } },
      { name: 'search with thinking', body: { model: 'deepseek-r1-search', stream_options: { include_usage: true } } },
      { name: 'a folded answer', body: { model: 'deepseek-r1-fold' } },
      { name: 'a silent search', body: { model: 'deepseek-r1-search-silent' } },
      { name: 'a TIP fragment, never content', body: { model: 'deepseek-chat' }, config: { emitTip: true } },
      {
        name: 'unicode and whitespace tokens',
        body: { model: 'deepseek-chat' },
        config: { replyFor: () => ({ content: '你好😊 a\n\n- b\n\t' }) },
      },
      {
        name: 'a content filter during the thinking',
        body: { model: 'deepseek-reasoner', stream_options: { include_usage: true } },
        fault: { fault: 'content_filter', endpoint: 'completion', params: { afterTokens: 9 } },
      },
    ];

    const through = async (
      format: StreamFormat,
      body: Record<string, unknown>,
      config: FakeConfigPatch = {},
      fault?: Omit<FaultSpec, 'account'>,
    ): Promise<RawResponse> => {
      stack.fake.reset();
      stack.fake.configure({ ...config, format });
      if (fault) stack.fake.addFault({ ...fault, account: TOKEN } as FaultSpec);
      const res = await postChat(stack.baseURL, { messages, ...body }, { tokens: [TOKEN] });
      expect(res.status).toBe(200);
      expect(onlyUpstreamMessage(stack.fake).format).toBe(format);
      return res;
    };

    it.each(scenarios)('should stream $name chunk for chunk alike', async ({ body, config, fault }) => {
      const runs = [];
      for (const format of FORMATS) {
        runs.push(readChatStream((await through(format, { ...body, stream: true }, config, fault)).text));
      }

      const normalized = runs.map((run) => ({ ...run, chunks: run.chunks.map(withoutIdentity) }));
      expect(normalized[0].finishReason).not.toBeNull();
      expect(normalized[0].done).toBe(true);
      expect(normalized[1]).toEqual(normalized[0]);
      expect(normalized[2]).toEqual(normalized[0]);
    });

    it.each(scenarios)('should answer $name alike without streaming', async ({ body, config, fault }) => {
      const runs = [];
      for (const format of FORMATS) runs.push(withoutIdentity((await through(format, body, config, fault)).json));

      expect(runs[0].choices[0].message.content).not.toBe('');
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[2]).toEqual(runs[0]);
    });
  });
});
