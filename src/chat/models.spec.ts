import { CANONICAL_MODEL_IDS, findModel, listModels, ModelFlags, resolveModel } from './models';

const flags = (thinking: boolean, search: boolean, extra: Partial<ModelFlags> = {}): ModelFlags => ({
  thinking,
  search,
  silent: false,
  fold: false,
  modelType: 'default',
  ...extra,
});

describe('models', () => {
  it.each<[string, ModelFlags]>([
    ['deepseek-chat', flags(false, false)],
    ['deepseek-reasoner', flags(true, false)],
    ['deepseek-v4-flash', flags(false, false)],
    ['deepseek-v4-pro', flags(false, false, { modelType: 'expert' })],
    ['deepseek-chat-search', flags(false, true)],
    ['deepseek-reasoner-search', flags(true, true)],
    ['deepseek-v4-flash-search', flags(false, true)],
    ['deepseek-v4-pro-search', flags(false, true, { modelType: 'expert' })],
    ['deepseek-think', flags(true, false)],
    ['deepseek-r1', flags(true, false)],
    ['deepseek-r1-search', flags(true, true)],
    ['deepseek-r1-search-silent', flags(true, true, { silent: true })],
    ['deepseek-think-fold', flags(true, false, { fold: true })],
    ['DeepSeek-Reasoner', flags(true, false)],
    ['deepseek_chat', flags(false, false)],
    ['gpt-4o', flags(false, false)],
    ['my-pro-model', flags(false, false, { modelType: 'expert' })],
    ['deepseek-v4-expert', flags(false, false, { modelType: 'expert' })],
    ['deepseek-prototype', flags(false, false)],
    ['', flags(false, false)],
  ])('should map %j to its flags', (name, expected) => {
    expect(resolveModel(name)).toEqual(expected);
  });

  it.each<[string, Parameters<typeof resolveModel>[1], boolean]>([
    ['deepseek-chat', { reasoningEffort: 'low' }, true],
    ['deepseek-chat', { reasoningEffort: 'minimal' }, true],
    ['deepseek-chat', { reasoningEffort: 'none' }, false],
    ['deepseek-reasoner', { reasoningEffort: 'none' }, false],
    ['deepseek-reasoner', { reasoningEffort: null }, true],
    ['deepseek-chat', { thinking: 'enabled' }, true],
    ['deepseek-reasoner', { thinking: 'disabled' }, false],
    ['deepseek-chat', { thinking: 'disabled', reasoningEffort: 'high' }, false],
    ['deepseek-chat', { thinking: 'enabled', reasoningEffort: 'none' }, true],
    ['deepseek-chat', { thinking: null, reasoningEffort: null }, false],
  ])('should let %j with %j think: %s', (name, overrides, thinking) => {
    expect(resolveModel(name, overrides).thinking).toBe(thinking);
  });

  it('should list the canonical ids in the OpenAI shape', () => {
    const list = listModels();
    expect(list.object).toBe('list');
    expect(list.data.map((model) => model.id)).toEqual(CANONICAL_MODEL_IDS);
    for (const model of list.data) {
      expect(model).toEqual({ id: model.id, object: 'model', created: expect.any(Number), owned_by: 'deepseek' });
      expect(Number.isInteger(model.created)).toBe(true);
    }
  });

  it('should find canonical ids and any deepseek name, and nothing else', () => {
    expect(findModel('deepseek-v4-pro-search')?.id).toBe('deepseek-v4-pro-search');
    expect(findModel('deepseek-r1-fold')?.id).toBe('deepseek-r1-fold');
    expect(findModel('DeepSeek-Chat')?.id).toBe('DeepSeek-Chat');
    expect(findModel('gpt-4o')).toBeNull();
    expect(findModel('my-deepseek')).toBeNull();
  });
});
