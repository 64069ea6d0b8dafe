import fc from 'fast-check';
import { ApiError } from '../common/errors/api-error';
import { parseChatCompletionRequest } from './dto/parse-chat-request';
import { CANONICAL_MODEL_IDS, findModel, listModels, ModelFlags, resolveModel } from './models';

const LIMITS = { maxMessages: 10, maxPromptChars: 1000 };

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

  it('should find the canonical ids, every name flag and any other name chat serves', () => {
    for (const id of [...CANONICAL_MODEL_IDS, 'deepseek-r1-fold', 'DeepSeek-Chat', 'gpt-4o', 'my-pro-model', ' ']) {
      expect(findModel(id)).toEqual({ id, object: 'model', created: expect.any(Number), owned_by: 'deepseek' });
    }
    expect(findModel('x'.repeat(256))?.id).toBe('x'.repeat(256));
    expect(findModel('x'.repeat(257))).toBeNull();
    expect(findModel('')).toBeNull();
  });

  it('should find exactly the model names a chat request is accepted with', () => {
    const chatAccepts = (model: string): boolean => {
      try {
        parseChatCompletionRequest({ model, messages: [{ role: 'user', content: 'Hi' }] }, LIMITS);
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.param === 'model') return false;
        throw error;
      }
    };
    const names = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ minLength: 250, maxLength: 262 }),
      fc.constantFrom(...CANONICAL_MODEL_IDS, 'deepseek-r1-search-silent', 'DEEPSEEK-V4-PRO', 'gpt-4o', ''),
    );
    fc.assert(fc.property(names, (name) => expect(findModel(name) !== null).toBe(chatAccepts(name))));
  });
});
