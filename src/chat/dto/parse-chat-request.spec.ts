import fc from 'fast-check';
import { ApiError } from '../../common/errors/api-error';
import { toOpenAiErrorBody } from '../../common/errors/openai-error-body';
import { parseChatCompletionRequest } from './parse-chat-request';

const limits = { maxMessages: 5, maxPromptChars: 1000 };
const parse = (body: unknown) => parseChatCompletionRequest(body, limits);
const dropping = { ...limits, dropUnsupportedParts: true };
const user = { role: 'user', content: 'Hi' };
const withBody = (extra: Record<string, unknown>) => ({ model: 'deepseek-chat', messages: [user], ...extra });

/** The 400 a body fails with: `[param, code, message]`. */
function failure(body: unknown): [string | null, string | null, string] {
  try {
    parse(body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.getStatus()).toBe(400);
    expect(toOpenAiErrorBody(error).error.type).toBe('invalid_request_error');
    return [error.param, error.code, error.message];
  }
  throw new Error('expected the body to be rejected');
}

describe('parseChatCompletionRequest', () => {
  describe('accepts what real clients send', () => {
    it('should apply defaults to a minimal body', () => {
      expect(parse(withBody({}))).toEqual({
        model: 'deepseek-chat',
        messages: [
          {
            role: 'user',
            content: 'Hi',
            name: null,
            toolCalls: [],
            toolCallId: null,
            isError: false,
            reasoningContent: null,
            attachments: [],
          },
        ],
        stream: false,
        includeUsage: false,
        maxTokens: null,
        maxCompletionTokens: null,
        stop: [],
        webSearch: false,
        sampling: { temperature: null, topP: null, presencePenalty: null, frequencyPenalty: null },
        reasoningEffort: null,
        thinking: null,
        conversation: null,
        droppedPartTypes: [],
        tools: null,
        responseFormat: null,
      });
    });

    it('should read every standard field', () => {
      const request = parse(
        withBody({
          stream: true,
          stream_options: { include_usage: true, include_obfuscation: false },
          max_tokens: 100,
          reasoning_effort: 'high',
          thinking: { type: 'enabled' },
          conversation_id: '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@2',
          n: 1,
        }),
      );
      expect(request).toMatchObject({
        stream: true,
        includeUsage: true,
        maxTokens: 100,
        reasoningEffort: 'high',
        thinking: 'enabled',
        conversation: { sessionId: '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e', messageId: 2 },
      });
    });

    it('should keep max_tokens and max_completion_tokens apart (they count different things)', () => {
      expect(parse(withBody({ max_tokens: 10, max_completion_tokens: 20 }))).toMatchObject({
        maxTokens: 10,
        maxCompletionTokens: 20,
      });
      expect(parse(withBody({ max_completion_tokens: 30 }))).toMatchObject({
        maxTokens: null,
        maxCompletionTokens: 30,
      });
    });

    it('should read stop as a list, leaving out empty strings', () => {
      expect(parse(withBody({ stop: 'END' })).stop).toEqual(['END']);
      expect(parse(withBody({ stop: ['a', '', 'b', '\n\n'] })).stop).toEqual(['a', 'b', '\n\n']);
      expect(parse(withBody({ stop: '' })).stop).toEqual([]);
      expect(parse(withBody({ stop: [] })).stop).toEqual([]);
    });

    it('should accept the sampling knobs at the ends of their OpenAI ranges', () => {
      const bias = { logit_bias: { '50256': -100, '11': 100 } };
      const low = { temperature: 0, top_p: 0, presence_penalty: -2, frequency_penalty: -2, top_logprobs: 0, seed: -5 };
      const high = {
        temperature: 2,
        top_p: 1,
        presence_penalty: 2,
        frequency_penalty: 2,
        top_logprobs: 20,
        seed: 2 ** 40,
      };
      expect(parse(withBody({ ...low, ...bias })).sampling).toEqual({
        temperature: 0,
        topP: 0,
        presencePenalty: -2,
        frequencyPenalty: -2,
      });
      expect(parse(withBody({ ...high, ...bias })).sampling).toEqual({
        temperature: 2,
        topP: 1,
        presencePenalty: 2,
        frequencyPenalty: 2,
      });
    });

    it('should accept the fields that mean nothing here, as clients send them', () => {
      const request = parse(
        withBody({
          logprobs: false,
          modalities: ['text'],
          metadata: { run: '7' },
          store: true,
          service_tier: 'auto',
          prediction: { type: 'content', content: 'Hi' },
          verbosity: 'low',
          prompt_cache_key: 'k',
          safety_identifier: 'hash',
          user: 'u',
          stream_options: { include_obfuscation: true },
          parallel_tool_calls: true,
          response_format: { type: 'json_object' },
        }),
      );
      expect(request).toMatchObject({
        model: 'deepseek-chat',
        webSearch: false,
        stop: [],
        responseFormat: { type: 'json_object' },
      });
    });

    it('should treat null as unset for every optional field', () => {
      const nulls = Object.fromEntries(
        [
          'stream',
          'stream_options',
          'max_tokens',
          'max_completion_tokens',
          'n',
          'reasoning_effort',
          'thinking',
          'conversation_id',
          'temperature',
          'tools',
          'tool_choice',
          'response_format',
          'user',
        ].map((key) => [key, null]),
      );
      expect(parse(withBody(nulls))).toMatchObject({ stream: false, includeUsage: false, maxTokens: null });
      expect(parse(withBody({ stream_options: { include_usage: null } })).includeUsage).toBe(false);
    });

    it('should ignore unknown and unused keys, whatever they hold', () => {
      const request = parse(
        withBody({
          vendor_extra: { deeply: [[[{ nested: true }]]] },
          messages: [{ role: 'user', content: 'Hi', cache_control: { type: 'ephemeral' }, extra: [1] }],
        }),
      );
      expect(request.messages[0].content).toBe('Hi');
    });

    it('should accept every role, developer and legacy function included', () => {
      const request = parse(
        withBody({
          messages: [
            { role: 'developer', content: 'Be brief.' },
            { role: 'system', content: [{ type: 'text', text: 'S' }] },
            { role: 'user', content: 'Weather?', name: 'ann' },
            {
              role: 'assistant',
              content: null,
              reasoning_content: 'Need a tool.',
              tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"c":1}' } }],
            },
            { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
          ],
        }),
      );
      expect(request.messages.map((m) => m.role)).toEqual(['developer', 'system', 'user', 'assistant', 'tool']);
      expect(request.messages[2].name).toBe('ann');
      expect(request.messages[3]).toMatchObject({
        content: null,
        reasoningContent: 'Need a tool.',
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"c":1}' }],
      });
      expect(request.messages[4]).toMatchObject({
        toolCallId: 'call_1',
        isError: false,
        content: [{ type: 'text', text: 'sunny' }],
      });
    });

    it('should accept the legacy function role and function_call', () => {
      const request = parse(
        withBody({
          messages: [
            user,
            { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{}' } },
            { role: 'function', name: 'lookup', content: 'found' },
          ],
        }),
      );
      expect(request.messages[1].toolCalls).toEqual([{ id: null, name: 'lookup', arguments: '{}' }]);
      expect(request.messages[2]).toMatchObject({ role: 'function', name: 'lookup', content: 'found' });
    });

    it('should keep text and refusal parts and, with DROP_UNSUPPORTED_PARTS, drop the others, listing their types once', () => {
      const request = parseChatCompletionRequest(
        withBody({
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Look:' },
                { type: 'image_url', image_url: { url: 'https://x/y.png' } },
                { type: 'input_audio', input_audio: { data: '', format: 'wav' } },
                { type: 'image_url', image_url: { url: 'data:image/png;base64,AA' } },
              ],
            },
            { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
            { role: 'user', content: [{ type: 'file', file: { file_id: 'f' } }] },
          ],
        }),
        dropping,
      );
      expect(request.messages[0].content).toEqual([{ type: 'text', text: 'Look:' }]);
      expect(request.messages[1].content).toEqual([{ type: 'text', text: 'No.' }]);
      expect(request.messages[2].content).toEqual([]);
      expect(request.droppedPartTypes).toEqual(['image_url', 'input_audio', 'file']);
    });

    it('should name any unknown part type `other`, so 1,000 made-up types give one short log note', () => {
      const content = Array.from({ length: 1000 }, (_, i) => ({ type: `x-${i}\n[Nest] forged ${'t'.repeat(60)}` }));
      const request = parseChatCompletionRequest(
        withBody({ messages: [{ role: 'user', content: [...content, { type: 'image_url' }] }] }),
        dropping,
      );
      expect(request.droppedPartTypes).toEqual(['other', 'image_url']);
    });

    it('should map a boolean thinking and ignore an unknown thinking type', () => {
      expect(parse(withBody({ thinking: true })).thinking).toBe('enabled');
      expect(parse(withBody({ thinking: false })).thinking).toBe('disabled');
      expect(parse(withBody({ thinking: { type: 'disabled' } })).thinking).toBe('disabled');
      expect(parse(withBody({ thinking: { type: 'adaptive', budget_tokens: 5 } })).thinking).toBeNull();
    });

    it('should accept exactly maxMessages messages', () => {
      expect(parse(withBody({ messages: Array(5).fill(user) })).messages).toHaveLength(5);
    });
  });

  describe('never fails with anything but a 400', () => {
    const expectParseOrBadRequest = (body: unknown) => {
      try {
        parse(body);
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).getStatus()).toBe(400);
      }
    };

    it('should survive any JSON value as the body', () => {
      fc.assert(fc.property(fc.jsonValue(), expectParseOrBadRequest), { numRuns: 500 });
    });

    it('should survive any JSON in every field it reads', () => {
      const anyJson = fc.jsonValue({ maxDepth: 4 });
      const message = fc.record(
        {
          role: fc.oneof(fc.constantFrom('user', 'assistant', 'tool', 'system', 'developer', 'function'), anyJson),
          content: fc.oneof(
            anyJson,
            fc.array(fc.record({ type: fc.constantFrom('text', 'image_url'), text: anyJson })),
          ),
          name: anyJson,
          tool_calls: fc.oneof(anyJson, fc.array(fc.record({ id: anyJson, function: anyJson }))),
          function_call: anyJson,
          tool_call_id: anyJson,
          reasoning_content: anyJson,
        },
        { requiredKeys: [] },
      );
      const body = fc.record(
        {
          model: fc.oneof(fc.constant('deepseek-chat'), anyJson),
          messages: fc.oneof(fc.array(message, { maxLength: 7 }), anyJson),
          stream: anyJson,
          stream_options: anyJson,
          n: anyJson,
          max_tokens: anyJson,
          max_completion_tokens: anyJson,
          reasoning_effort: anyJson,
          thinking: anyJson,
          conversation_id: anyJson,
        },
        { requiredKeys: [] },
      );
      fc.assert(fc.property(body, expectParseOrBadRequest), { numRuns: 2000 });
    });

    it('should ignore deeply nested junk in fields it does not read', () => {
      let junk: unknown = 'leaf';
      for (let i = 0; i < 100_000; i++) junk = [junk];
      expect(parse(withBody({ vendor_junk: junk })).model).toBe('deepseek-chat');
      expect(failure(withBody({ messages: junk }))[0]).toBe('messages[0]');
    });
  });
});
