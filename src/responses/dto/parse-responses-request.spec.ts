import { ApiError } from '../../common/errors/api-error';
import { parseResponsesRequest } from './parse-responses-request';

const limits = { maxMessages: 10, maxPromptChars: 1000 };
const parse = (body: unknown, dropUnsupportedParts = false) =>
  parseResponsesRequest(body, { ...limits, dropUnsupportedParts });

/** The 400 a body fails with: `[param, code]`. */
function failure(body: unknown): [string | null, string | null] {
  try {
    parse(body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.getStatus()).toBe(400);
    return [error.param, error.code];
  }
  throw new Error('expected the body to be rejected');
}

describe('parseResponsesRequest', () => {
  it('should take a string input as one user message and default the model', () => {
    const request = parse({ input: 'Hi' });

    expect(request.model).toBe('deepseek-chat');
    expect(request.input).toEqual([{ type: 'message', role: 'user', content: 'Hi' }]);
    expect(request).toMatchObject({ stream: false, store: true, tools: null, responseFormat: null, thinking: null });
    expect(request.echo).toMatchObject({
      tool_choice: 'auto',
      parallel_tool_calls: true,
      metadata: {},
      text: { format: { type: 'text' } },
    });
  });

  it('should map every Codex item kind, skipping reasoning and hosted items', () => {
    const request = parse({
      model: 'deepseek-chat',
      input: [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Rules.' }] },
        { role: 'user', content: 'Plain.' },
        { type: 'reasoning', summary: [], encrypted_content: 'opaque' },
        { type: 'function_call', name: 'exec', arguments: '{"cmd":"ls"}', call_id: 'c1' },
        { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'a.txt' }] },
        { type: 'custom_tool_call', name: 'apply_patch', input: 'line 1\nline 2', call_id: 'c2' },
        { type: 'custom_tool_call_output', call_id: 'c2', output: 'ok' },
        { type: 'local_shell_call', id: 'x' },
      ],
    });

    expect(request.input).toEqual([
      { type: 'message', role: 'developer', content: [{ type: 'text', text: 'Rules.' }] },
      { type: 'message', role: 'user', content: 'Plain.' },
      { type: 'call', callId: 'c1', name: 'exec', arguments: '{"cmd":"ls"}' },
      { type: 'callOutput', callId: 'c1', output: 'a.txt' },
      { type: 'call', callId: 'c2', name: 'apply_patch', arguments: '{"input":"line 1\\nline 2"}' },
      { type: 'callOutput', callId: 'c2', output: 'ok' },
    ]);
    expect(request.skippedItems).toBe(1);
  });

  it('should declare flat function and custom tools, skipping hosted ones', () => {
    const request = parse({
      input: 'Hi',
      tools: [
        { type: 'function', name: 'exec', parameters: { type: 'object' }, strict: true },
        { type: 'custom', name: 'apply_patch', description: 'Patch.' },
        { type: 'web_search' },
      ],
      tool_choice: { type: 'function', name: 'exec' },
      parallel_tool_calls: false,
    });

    expect(request.tools).toEqual({
      tools: [
        { name: 'exec', description: null, parameters: { type: 'object' }, strict: true, kind: 'function' },
        { name: 'apply_patch', description: 'Patch.', parameters: null, strict: false, kind: 'custom' },
      ],
      choice: { name: 'exec' },
      parallel: false,
    });
    expect(request.echo.tools).toHaveLength(2);
  });

  it('should read text.format, reasoning.effort and max_output_tokens', () => {
    const request = parse({
      input: 'Hi',
      text: { format: { type: 'json_schema', name: 'city', schema: { type: 'object' }, strict: true } },
      reasoning: { effort: 'minimal' },
      max_output_tokens: 50,
    });

    expect(request.responseFormat).toEqual({
      type: 'json_schema',
      name: 'city',
      description: null,
      schema: { type: 'object' },
      strict: true,
    });
    expect(request.thinking).toBe('disabled');
    expect(parse({ input: 'Hi', reasoning: { effort: 'high' } }).thinking).toBe('enabled');
    expect(request.maxOutputTokens).toBe(50);
    expect(parse({ input: 'Hi', text: { format: { type: 'json_object' } } }).responseFormat).toEqual({
      type: 'json_object',
    });
  });

  it('should drop image parts only with DROP_UNSUPPORTED_PARTS', () => {
    const body = {
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'See' },
            { type: 'input_image', image_url: 'data:' },
          ],
        },
      ],
    };

    expect(failure(body)).toEqual(['input[0].content[1]', 'unsupported_content']);
    expect(parse(body, true).droppedPartTypes).toEqual(['input_image']);
  });

  it.each<[string, unknown, string | null, string]>([
    ['a non-object body', [], null, 'invalid_type'],
    ['a numeric input', { input: 3 }, 'input', 'invalid_type'],
    ['too many items', { input: Array(11).fill({ role: 'user', content: 'x' }) }, 'input', 'array_above_max_length'],
    ['an item without type or role', { input: [{ content: 'x' }] }, 'input[0].type', 'missing_required_parameter'],
    ['an unknown role', { input: [{ role: 'tool', content: 'x' }] }, 'input[0].role', 'invalid_value'],
    [
      'a call without call_id',
      { input: [{ type: 'function_call', name: 'f', arguments: '{}' }] },
      'input[0].call_id',
      'missing_required_parameter',
    ],
    [
      'an output without output',
      { input: [{ type: 'function_call_output', call_id: 'c' }] },
      'input[0].output',
      'missing_required_parameter',
    ],
    ['a reference without id', { input: [{ type: 'item_reference' }] }, 'input[0].id', 'missing_required_parameter'],
    [
      'a tool without name',
      { input: 'x', tools: [{ type: 'function' }] },
      'tools[0].name',
      'missing_required_parameter',
    ],
    [
      'non-object parameters',
      { input: 'x', tools: [{ type: 'function', name: 'f', parameters: 1 }] },
      'tools[0].parameters',
      'invalid_type',
    ],
    [
      'an undeclared tool_choice',
      { input: 'x', tools: [], tool_choice: { type: 'function', name: 'f' } },
      'tool_choice.name',
      'invalid_value',
    ],
    ['an unknown tool_choice', { input: 'x', tool_choice: 'any' }, 'tool_choice', 'invalid_value'],
    [
      'a json_schema without name',
      { input: 'x', text: { format: { type: 'json_schema', schema: {} } } },
      'text.format.name',
      'invalid_value',
    ],
    ['an unknown text.format', { input: 'x', text: { format: { type: 'yaml' } } }, 'text.format.type', 'invalid_value'],
    ['temperature above 2', { input: 'x', temperature: 3 }, 'temperature', 'invalid_value'],
    ['top_p as a string', { input: 'x', top_p: '1' }, 'top_p', 'invalid_type'],
    ['max_output_tokens 0', { input: 'x', max_output_tokens: 0 }, 'max_output_tokens', 'integer_below_min_value'],
    ['store as a string', { input: 'x', store: 'no' }, 'store', 'invalid_type'],
    ['a numeric metadata value', { input: 'x', metadata: { a: 1 } }, 'metadata.a', 'invalid_type'],
    ['include not a list', { input: 'x', include: 'all' }, 'include', 'invalid_type'],
    ['an unknown truncation', { input: 'x', truncation: 'left' }, 'truncation', 'invalid_value'],
    ['background mode', { input: 'x', background: true }, 'background', 'unsupported_parameter'],
    ['a conversation', { input: 'x', conversation: 'conv_1' }, 'conversation', 'unsupported_parameter'],
  ])('should refuse %s with a 400 naming the field', (_, body, param, code) => {
    expect(failure(body)).toEqual([param, code]);
  });
});
