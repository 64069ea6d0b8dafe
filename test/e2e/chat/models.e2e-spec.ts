import OpenAI from 'openai';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';

const TOKEN = 'tok-models';
const REPLY = 'Served.';

describe('GET /v1/models/{id} agrees with chat (e2e)', () => {
  let stack: Stack;
  let client: OpenAI;

  beforeAll(async () => {
    stack = await startStack({ tokens: [TOKEN], fake: { reply: { content: REPLY } } });
    client = stack.openai();
  });
  afterAll(() => stack.close());
  afterEach(() => expectAllIdle(stack));

  it.each([
    'deepseek-chat',
    'deepseek-v4-pro-search',
    'DeepSeek-R1-Search-Silent',
    'deepseek-think-fold',
    'gpt-4o',
    'my model/v2',
    'x'.repeat(256),
  ])('should retrieve %j, a name chat answers to', async (model) => {
    await expect(client.models.retrieve(model)).resolves.toEqual({
      id: model,
      object: 'model',
      created: expect.any(Number),
      owned_by: 'deepseek',
    });
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion).toMatchObject({ model, choices: [{ finish_reason: 'stop' }] });
    // A `fold` name writes its thinking into the content, before the answer.
    expect(completion.choices[0].message.content).toMatch(/Served\.$/);
  });

  it('should answer a name chat refuses with NotFoundError model_not_found', async () => {
    const model = 'deepseek-'.padEnd(257, 'x');
    const error: unknown = await client.models.retrieve(model).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error', param: null });

    const refused: unknown = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused).toMatchObject({ status: 400, param: 'model', code: 'string_above_max_length' });
  });
});
