import fc from 'fast-check';
import { ApiError } from '../../common/errors/api-error';
import { parseChatCompletionRequest } from '../dto/parse-chat-request';

const limits = { maxMessages: 5, maxPromptChars: 1000 };
const body = (extra: Record<string, unknown>) => ({
  model: 'deepseek-chat',
  messages: [{ role: 'user', content: 'Hi' }],
  ...extra,
});
const parse = (extra: Record<string, unknown>) => parseChatCompletionRequest(body(extra), limits).tools;
const weather = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' }, strict: true } };
const search = { type: 'function', function: { name: 'search', description: 'Search the web' } };

/** The `param` of the 400 a body fails with. */
function rejectedParam(extra: Record<string, unknown>): string | null {
  try {
    parse(extra);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.getStatus()).toBe(400);
    return error.param;
  }
  throw new Error('expected the body to be rejected');
}

describe('parseToolRequest (through the request parser)', () => {
  it('should be null without tools', () => {
    expect(parse({})).toBeNull();
    expect(parse({ tool_choice: 'auto' })).toBeNull();
  });

  it('should read function and custom tools, ignore other types, and default to auto and parallel', () => {
    const tools = [weather, { type: 'custom', custom: { name: 'apply_patch' } }, { type: 'web_search' }];
    expect(parse({ tools })).toEqual({
      tools: [
        { name: 'get_weather', description: null, parameters: { type: 'object' }, strict: true, kind: 'function' },
        { name: 'apply_patch', description: null, parameters: null, strict: false, kind: 'custom' },
      ],
      choice: 'auto',
      parallel: true,
    });
  });

  it.each<[unknown, unknown]>([
    ['none', 'none'],
    ['required', 'required'],
    [{ type: 'function', function: { name: 'search' } }, { name: 'search' }],
  ])('should read tool_choice %j', (toolChoice, choice) => {
    expect(parse({ tools: [weather, search], tool_choice: toolChoice })?.choice).toEqual(choice);
  });

  it('should narrow the tools to allowed_tools, with its mode as the choice', () => {
    const request = parse({
      tools: [weather, search],
      tool_choice: {
        type: 'allowed_tools',
        allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'search' } }] },
      },
      parallel_tool_calls: false,
    });
    expect(request?.tools.map((tool) => tool.name)).toEqual(['search']);
    expect(request).toMatchObject({ choice: 'required', parallel: false });
  });

  it('should map legacy functions and function_call', () => {
    const request = parse({
      functions: [{ name: 'get_weather', parameters: { type: 'object' } }],
      function_call: { name: 'get_weather' },
    });
    expect(request).toMatchObject({
      tools: [{ name: 'get_weather', kind: 'function' }],
      choice: { name: 'get_weather' },
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['tools not an array', { tools: {} }, 'tools'],
    ['a tool without type', { tools: [{ function: { name: 'x' } }] }, 'tools[0].type'],
    ['a function tool without function', { tools: [{ type: 'function' }] }, 'tools[0].function'],
    ['a nameless function', { tools: [{ type: 'function', function: {} }] }, 'tools[0].function.name'],
    [
      'parameters not an object',
      { tools: [{ type: 'function', function: { name: 'x', parameters: 'y' } }] },
      'tools[0].function.parameters',
    ],
    ['an unknown tool_choice string', { tools: [weather], tool_choice: 'any' }, 'tool_choice'],
    [
      'a named choice not declared',
      { tools: [weather], tool_choice: { type: 'function', function: { name: 'nope' } } },
      'tool_choice.function.name',
    ],
    ['required without tools', { tool_choice: 'required' }, 'tool_choice'],
    ['parallel_tool_calls not a boolean', { tools: [weather], parallel_tool_calls: 'yes' }, 'parallel_tool_calls'],
    ['functions not an array', { functions: 'f' }, 'functions'],
    [
      'an unknown legacy function_call',
      { functions: [{ name: 'f' }], function_call: { name: 'g' } },
      'function_call.name',
    ],
  ])('should reject %s with a 400 naming the field', (_, extra, param) => {
    expect(rejectedParam(extra)).toBe(param);
  });

  it('should survive any JSON in the tool fields, failing only with a 400', () => {
    const anyJson = fc.jsonValue({ maxDepth: 4 });
    const named = fc.record(
      { name: fc.oneof(fc.constantFrom('get_weather', 'search'), anyJson) },
      { requiredKeys: [] },
    );
    const tool = fc.oneof(
      anyJson,
      fc.record(
        {
          type: fc.oneof(fc.constantFrom('function', 'custom', 'web_search'), anyJson),
          function: fc.oneof(named, anyJson),
          custom: fc.oneof(named, anyJson),
        },
        { requiredKeys: [] },
      ),
    );
    const fields = fc.record(
      {
        tools: fc.oneof(fc.array(tool, { maxLength: 3 }), anyJson),
        tool_choice: fc.oneof(
          fc.constantFrom('none', 'auto', 'required'),
          fc.record({ type: fc.constantFrom('function', 'allowed_tools'), function: named, allowed_tools: anyJson }),
          anyJson,
        ),
        parallel_tool_calls: anyJson,
        functions: fc.oneof(fc.array(named, { maxLength: 2 }), anyJson),
        function_call: anyJson,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fields, (extra) => {
        try {
          parse(extra);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
          expect((error as ApiError).getStatus()).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
