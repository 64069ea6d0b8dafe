import { rawRequest } from '../../utils/http/raw-request';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';

describe("Codex's model list on GET /v1/models (e2e)", () => {
  const token = 'tok-codex-models';
  let stack: Stack;

  beforeAll(async () => {
    // A server-side pool: its account is known (and idle) before any chat, so expectAllIdle holds.
    stack = await startStack({ tokens: [token], env: { DEEPSEEK_TOKENS: token } });
  });
  afterAll(() => stack.close());
  afterEach(() => expectAllIdle(stack));

  it('should add Codex model infos beside OpenAI data when client_version is sent', async () => {
    const response = await rawRequest(`${stack.baseURL}/models?client_version=0.98.0`, undefined, { tokens: [token] });

    expect(response.status).toBe(200);
    const { data, models } = response.json;
    expect(models.map((model: { slug: string }) => model.slug)).toEqual(data.map((model: { id: string }) => model.id));
    expect(models.find((model: { slug: string }) => model.slug === 'deepseek-reasoner')).toEqual({
      slug: 'deepseek-reasoner',
      display_name: 'deepseek-reasoner',
      description: expect.any(String),
      default_reasoning_level: 'medium',
      supported_reasoning_levels: [
        { effort: 'minimal', description: expect.any(String) },
        { effort: 'medium', description: expect.any(String) },
      ],
      visibility: 'list',
      supported_in_api: true,
      priority: expect.any(Number),
    });
    expect(models.find((model: { slug: string }) => model.slug === 'deepseek-chat').default_reasoning_level).toBe(
      'minimal',
    );
  });

  it('should keep the plain OpenAI list for everyone else', async () => {
    const response = await stack.openai().models.list();

    expect(response.data.length).toBeGreaterThan(0);
    const raw = await rawRequest(`${stack.baseURL}/models`, undefined, { tokens: [token] });
    expect(Object.keys(raw.json).sort()).toEqual(['data', 'object']);
  });
});
