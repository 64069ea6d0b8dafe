import type { ModelType } from '../deepseek/deepseek.client';
import { FIELD_LIMITS } from './dto/field-limits';

export const CANONICAL_MODEL_IDS: readonly string[] = [
  'deepseek-chat',
  'deepseek-reasoner',
  'deepseek-v4-flash',
  'deepseek-v4-pro',
  'deepseek-chat-search',
  'deepseek-reasoner-search',
  'deepseek-v4-flash-search',
  'deepseek-v4-pro-search',
];

/** A fixed date (2025-01-01), so the listing never changes between calls or restarts. */
const MODELS_CREATED = 1735689600;

export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: 'deepseek';
}

export interface OpenAiModelList {
  object: 'list';
  data: OpenAiModel[];
}

export interface ModelFlags {
  thinking: boolean;
  search: boolean;
  /** No source list after a search answer. */
  silent: boolean;
  /** Thinking goes into the content, inside a `<details>` block. */
  fold: boolean;
  modelType: ModelType;
}

/** Request fields that override the name's thinking flag, strongest first: `thinking`, `reasoning_effort`. */
export interface ThinkingOverrides {
  thinking?: 'enabled' | 'disabled' | null;
  reasoningEffort?: string | null;
}

const THINKING_MARKERS = ['think', 'r1', 'reasoner'];

/**
 * Flags from a model name. Any name is accepted, as the old server did: unknown names behave like
 * `deepseek-chat` plus whatever flags they spell out.
 */
export function resolveModel(name: string, overrides: ThinkingOverrides = {}): ModelFlags {
  const lower = name.toLowerCase();
  const segments = lower.split('-');
  return {
    thinking: resolveThinking(
      THINKING_MARKERS.some((marker) => lower.includes(marker)),
      overrides,
    ),
    search: lower.includes('search'),
    silent: lower.includes('silent'),
    fold: lower.includes('fold'),
    modelType: segments.includes('pro') || segments.includes('expert') ? 'expert' : 'default',
  };
}

function resolveThinking(byName: boolean, { thinking, reasoningEffort }: ThinkingOverrides): boolean {
  if (thinking === 'enabled') return true;
  if (thinking === 'disabled') return false;
  if (reasoningEffort != null) return reasoningEffort !== 'none';
  return byName;
}

export function toOpenAiModel(id: string): OpenAiModel {
  return { id, object: 'model', created: MODELS_CREATED, owned_by: 'deepseek' };
}

export interface AnthropicModel {
  type: 'model';
  id: string;
  display_name: string;
  created_at: string;
}

export interface AnthropicModelList {
  data: AnthropicModel[];
  has_more: false;
  first_id: string | null;
  last_id: string | null;
}

export function toAnthropicModel({ id, created }: OpenAiModel): AnthropicModel {
  return { type: 'model', id, display_name: id, created_at: new Date(created * 1000).toISOString() };
}

/** The same listing in Anthropic's shape, for clients that send `anthropic-version`. */
export function toAnthropicModelList({ data }: OpenAiModelList): AnthropicModelList {
  const models = data.map(toAnthropicModel);
  return { data: models, has_more: false, first_id: models[0]?.id ?? null, last_id: models.at(-1)?.id ?? null };
}

export function listModels(keep: (id: string) => boolean = () => true): OpenAiModelList {
  return { object: 'list', data: CANONICAL_MODEL_IDS.filter(keep).map(toOpenAiModel) };
}

/**
 * The model behind a name, for `GET /v1/models/{id}`: every name a chat request may carry, since chat
 * serves them all (`resolveModel`); null for the others (empty, or longer than chat accepts).
 */
export function findModel(id: string): OpenAiModel | null {
  return id !== '' && id.length <= FIELD_LIMITS.model ? toOpenAiModel(id) : null;
}
