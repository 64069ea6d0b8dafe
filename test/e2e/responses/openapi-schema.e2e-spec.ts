import { toolCallBlock } from '../../fake-deepseek/tool-model';
import type { ReplyHook } from '../../fake-deepseek/types';
import { rawRequest } from '../../utils/http/raw-request';
import { describeWithOpenApiSpec, OpenApiSchemas } from '../../utils/openai-openapi-spec';
import { expectAllIdle } from '../../utils/settle';
import { responsesEvents } from '../../utils/sse/responses-stream';
import { startStack, type Stack } from '../../utils/stack';

const TOOLS = [
  {
    type: 'function',
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    strict: false,
  },
  { type: 'custom', name: 'apply_patch', description: 'Apply a patch.' },
];

interface Case {
  name: string;
  body: Record<string, unknown>;
  reply?: ReplyHook;
}

const CASES: Case[] = [
  { name: 'a text answer', body: { input: 'Hello' } },
  { name: 'reasoning and text', body: { model: 'deepseek-reasoner', instructions: 'Be brief.', input: 'Think.' } },
  {
    name: 'a function call',
    body: { input: 'Weather in Paris?', tools: TOOLS, tool_choice: 'auto', metadata: { run: '1' } },
    reply: () => ({ content: toolCallBlock([{ name: 'get_weather', args: { city: 'Paris' } }]) }),
  },
  {
    name: 'a custom tool call',
    body: { input: 'Patch it.', tools: TOOLS, tool_choice: { type: 'custom', name: 'apply_patch' } },
    reply: () => ({
      content: toolCallBlock([{ name: 'apply_patch', args: { input: '*** Begin Patch\n*** End Patch' } }]),
    }),
  },
  {
    name: 'an answer cut at max_output_tokens',
    body: { input: 'Talk a lot.', max_output_tokens: 3 },
    reply: () => ({ content: 'one two three four five six seven eight nine ten eleven twelve' }),
  },
  {
    name: 'a json_schema answer',
    body: {
      input: 'A city as JSON.',
      text: {
        format: {
          type: 'json_schema',
          name: 'city',
          strict: true,
          schema: {
            type: 'object',
            properties: { name: { type: 'string' } },
            required: ['name'],
            additionalProperties: false,
          },
        },
      },
    },
    reply: () => ({ content: '{"name":"Paris"}' }),
  },
];

describeWithOpenApiSpec('Responses objects and stream events against the OpenAPI spec (e2e)', () => {
  const token = 'tok-responses-schema';
  let stack: Stack;
  let schemas: OpenApiSchemas;

  beforeAll(async () => {
    schemas = new OpenApiSchemas();
    stack = await startStack({ tokens: [token] });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  const post = (body: object) =>
    rawRequest(`${stack.baseURL}/responses`, { model: 'deepseek-chat', ...body }, { tokens: [token] });

  it.each(CASES)('should answer $name with a valid Response, non-stream and from GET', async ({ body, reply }) => {
    if (reply) stack.fake.configure({ replyFor: reply });

    const response = await post(body);
    expect(response.status).toBe(200);
    expect(schemas.errors('Response', response.json)).toEqual([]);
    const stored = await rawRequest(`${stack.baseURL}/responses/${response.json.id}`, undefined, { tokens: [token] });
    expect(stored.json).toEqual(response.json);
    expect(schemas.errors('Response', stored.json)).toEqual([]);
  });

  it.each(CASES)('should stream $name as valid ResponseStreamEvents', async ({ body, reply }) => {
    if (reply) stack.fake.configure({ replyFor: reply });

    const response = await post({ ...body, stream: true });
    const events = responsesEvents(response.text);
    expect(events.length).toBeGreaterThan(3);
    const invalid = events
      .map(({ data }) => ({ type: data.type, errors: schemas.streamEventErrors(data) }))
      .filter(({ errors }) => errors.length > 0);
    expect(invalid).toEqual([]);
  });

  it('should end a failed stream with a response.failed whose only departure is our own error code', async () => {
    stack.fake.addFault({
      fault: 'hint_error',
      account: token,
      endpoint: 'completion',
      params: { afterTokens: 2, message: 'Something odd happened.', finish_reason: 'something_odd' },
    });

    const events = responsesEvents((await post({ input: 'Hello', stream: true })).text);

    const failed = events.at(-1)!.data;
    expect(failed.type).toBe('response.failed');
    // The spec's code list is OpenAI's own; ours names what happened (docs/api.md §4.2), which clients read as text.
    expect(schemas.streamEventErrors(failed)).toEqual([
      '/response/error/code must be equal to one of the allowed values',
      '/response/error must be null',
      '/response/error must match a schema in anyOf',
    ]);
    expect(
      schemas.streamEventErrors({
        ...failed,
        response: { ...failed.response, error: { ...failed.response.error, code: 'server_error' } },
      }),
    ).toEqual([]);
  });

  it('should give a Response that matches the non-stream one in the terminal event', async () => {
    const events = responsesEvents((await post({ input: 'Hello', stream: true })).text);
    const terminal = events.at(-1)!.data;
    expect(terminal.type).toBe('response.completed');
    expect(schemas.errors('Response', terminal.response)).toEqual([]);
  });
});
