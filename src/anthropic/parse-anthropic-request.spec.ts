import { ApiError } from '../common/errors/api-error';
import { parseModelAliases } from '../config/model-aliases';
import { type AnthropicRequestLimits, parseAnthropicRequest } from './parse-anthropic-request';

const limits: AnthropicRequestLimits = {
  maxMessages: 10,
  maxPromptChars: 100_000,
  modelAliases: parseModelAliases('claude-opus*=deepseek-reasoner,claude-haiku*=deepseek-chat')!,
};
const base = { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] };
const parse = (body: object, options: Partial<AnthropicRequestLimits> = {}) =>
  parseAnthropicRequest({ ...base, ...body }, { ...limits, ...options });

function refusal(body: object, options: Partial<AnthropicRequestLimits> = {}): ApiError {
  try {
    parse(body, options);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('parseAnthropicRequest', () => {
  it('should map the model through the aliases and keep the name the client sent', () => {
    const request = parse({ model: 'claude-opus-4-1' });
    expect(request.chat.model).toBe('deepseek-reasoner');
    expect(request.clientModel).toBe('claude-opus-4-1');
    expect(parse({ model: 'deepseek-v4-pro' }).chat.model).toBe('deepseek-v4-pro');
  });

  it('should read system blocks, text blocks, max_tokens, stop_sequences and thinking', () => {
    const { chat } = parse({
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      stop_sequences: ['END', ''],
      thinking: { type: 'adaptive' },
      metadata: { user_id: 'u' },
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }],
    });
    expect(chat.messages).toMatchObject([
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
    ]);
    expect(chat).toMatchObject({ maxTokens: 100, stop: ['END'], thinking: 'enabled', stream: true, tools: null });
    expect(parse({ thinking: { type: 'disabled' } }).chat.thinking).toBe('disabled');
    expect(parse({}).chat.thinking).toBeNull();
  });

  it('should turn tool_use into tool calls and tool_result into tool messages with is_error, dropping echoed thinking', () => {
    const { chat } = parse({
      messages: [
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'redacted_thinking', data: 'xx' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'down' }], is_error: true },
            { type: 'text', text: 'And now?' },
          ],
        },
      ],
    });
    expect(chat.messages).toMatchObject([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Checking.' }],
        toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
      },
      { role: 'tool', toolCallId: 'toolu_1', isError: true, content: [{ type: 'text', text: 'down' }] },
      { role: 'user', content: [{ type: 'text', text: 'And now?' }] },
    ]);
  });

  it('should declare client tools, skip server tools and map tool_choice', () => {
    const request = parse({
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } },
        { type: 'custom', name: 'lookup', input_schema: { type: 'object' } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
        { type: 'bash_20250124', name: 'bash' },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
    expect(request.skippedTools).toBe(2);
    expect(request.chat.tools).toEqual({
      tools: [
        {
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'object' },
          strict: false,
          kind: 'function',
        },
        { name: 'lookup', description: null, parameters: { type: 'object' }, strict: false, kind: 'function' },
      ],
      choice: 'required',
      parallel: false,
    });
    const tools = [{ name: 'a', input_schema: { type: 'object' } }];
    expect(parse({ tools, tool_choice: { type: 'tool', name: 'a' } }).chat.tools?.choice).toEqual({ name: 'a' });
    expect(parse({ tools, tool_choice: { type: 'none' } }).chat.tools?.choice).toBe('none');
    expect(parse({ tools }).chat.tools).toMatchObject({ choice: 'auto', parallel: true });
  });

  it('should drop image and document blocks with DROP_UNSUPPORTED_PARTS, noting their types', () => {
    const { chat } = parse(
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: {} },
              { type: 'document', source: {} },
              { type: 'text', text: 'What is this?' },
            ],
          },
        ],
      },
      { dropUnsupportedParts: true },
    );
    expect(chat.droppedPartTypes).toEqual(['image', 'document']);
    expect(chat.messages).toMatchObject([{ role: 'user', content: [{ type: 'text', text: 'What is this?' }] }]);
  });

  it('should let count_tokens go without max_tokens', () => {
    const { chat } = parseAnthropicRequest({ model: 'claude-haiku-4-5', messages: base.messages }, limits, 'count');
    expect(chat.maxTokens).toBeNull();
  });

  it.each<[string, object, string, string]>([
    ['no max_tokens', { max_tokens: undefined }, 'max_tokens', 'missing_required_parameter'],
    ['max_tokens 0', { max_tokens: 0 }, 'max_tokens', 'integer_below_min_value'],
    ['max_tokens not an integer', { max_tokens: 1.5 }, 'max_tokens', 'invalid_type'],
    ['no model', { model: undefined }, 'model', 'missing_required_parameter'],
    ['no messages', { messages: undefined }, 'messages', 'missing_required_parameter'],
    ['a system role', { messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role', 'invalid_value'],
    ['content a number', { messages: [{ role: 'user', content: 1 }] }, 'messages[0].content', 'invalid_type'],
    [
      'an image block',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'image', source: {} },
            ],
          },
        ],
      },
      'messages[0].content[1]',
      'unsupported_content',
    ],
    [
      'an image in a tool result',
      {
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image' }] }] },
        ],
      },
      'messages[0].content[0].content[0]',
      'unsupported_content',
    ],
    [
      'a tool_use without id',
      { messages: [{ role: 'assistant', content: [{ type: 'tool_use', name: 'a', input: {} }] }] },
      'messages[0].content[0].id',
      'missing_required_parameter',
    ],
    [
      'a tool_use input that is no object',
      { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'a', input: [] }] }] },
      'messages[0].content[0].input',
      'invalid_type',
    ],
    ['a system number', { system: 3 }, 'system', 'invalid_type'],
    ['temperature above 1', { temperature: 1.5 }, 'temperature', 'invalid_value'],
    ['top_p a string', { top_p: 'x' }, 'top_p', 'invalid_type'],
    ['top_k negative', { top_k: -1 }, 'top_k', 'integer_below_min_value'],
    ['stop_sequences a string', { stop_sequences: 'END' }, 'stop_sequences', 'invalid_type'],
    ['17 stop_sequences', { stop_sequences: Array(17).fill('x') }, 'stop_sequences', 'array_above_max_length'],
    ['a tool without input_schema', { tools: [{ name: 'a' }] }, 'tools[0].input_schema', 'invalid_type'],
    [
      'tool_choice naming an unknown tool',
      { tools: [{ name: 'a', input_schema: {} }], tool_choice: { type: 'tool', name: 'b' } },
      'tool_choice.name',
      'invalid_value',
    ],
    ['tool_choice of an unknown type', { tool_choice: { type: 'maybe' } }, 'tool_choice.type', 'invalid_value'],
    ['thinking of an unknown type', { thinking: { type: 'deep' } }, 'thinking.type', 'invalid_value'],
    [
      'too many messages',
      { messages: Array(11).fill({ role: 'user', content: 'x' }) },
      'messages',
      'array_above_max_length',
    ],
  ])('should refuse %s with a 400 naming the field', (_, body, param, code) => {
    const error = refusal(body);
    expect(error.getStatus()).toBe(400);
    expect(error).toMatchObject({ param, code });
  });
});
