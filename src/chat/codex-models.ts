import { type OpenAiModel, resolveModel } from './models';

/**
 * One model in Codex's own model-info shape, for `GET /v1/models?client_version=…` (docs/api.md §9.6).
 * Only the fields that describe our models; a Codex build that wants more logs the answer as
 * unparseable and keeps its built-in list, which is not fatal.
 */
export interface CodexModelInfo {
  slug: string;
  display_name: string;
  description: string;
  /** `minimal` turns thinking off, any higher effort on (docs/api.md §9.1): the name's own mode is the default. */
  default_reasoning_level: 'minimal' | 'medium';
  supported_reasoning_levels: { effort: 'minimal' | 'medium'; description: string }[];
  visibility: 'list';
  supported_in_api: true;
  priority: number;
}

const REASONING_LEVELS: CodexModelInfo['supported_reasoning_levels'] = [
  { effort: 'minimal', description: 'Thinking off: answers at once.' },
  { effort: 'medium', description: 'Thinking on: the model reasons before it answers.' },
];

export function codexModels(models: readonly OpenAiModel[]): CodexModelInfo[] {
  return models.map(({ id }, priority) => {
    const { thinking, search } = resolveModel(id);
    return {
      slug: id,
      display_name: id,
      description: `DeepSeek web chat${thinking ? ', thinking' : ''}${search ? ', web search' : ''}.`,
      default_reasoning_level: thinking ? 'medium' : 'minimal',
      supported_reasoning_levels: REASONING_LEVELS,
      visibility: 'list',
      supported_in_api: true,
      priority,
    };
  });
}
