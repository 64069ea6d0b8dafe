import type { ModelFlags } from '../chat/models';

/** What the official API is asked for: its model id and, for the ids that take it, the thinking switch. */
export interface ApiModelChoice {
  model: string;
  /** `thinking: {type}` to send; null for the older ids whose name decides (`deepseek-chat`, `deepseek-reasoner`). */
  thinking: 'enabled' | 'disabled' | null;
  /** The expert (pro) model was asked for and the API does not serve it: the flash one answers. */
  fellBack: boolean;
}

export const API_FLASH = 'deepseek-v4-flash';
export const API_PRO = 'deepseek-v4-pro';
export const API_CHAT = 'deepseek-chat';
export const API_REASONER = 'deepseek-reasoner';

/** What the API is assumed to serve while its own list (`GET /models`) is unknown. */
export const ASSUMED_API_MODELS: readonly string[] = [API_CHAT, API_REASONER, API_FLASH, API_PRO];

/** The ids whose name fixes thinking: they take no `thinking` switch. */
const NAMED_THINKING: ReadonlySet<string> = new Set([API_CHAT, API_REASONER]);

/**
 * The one model table (docs/api.md §1.6), for a name the web path reads as `flags`:
 * 1. a name the API serves itself goes through unchanged (`deepseek-chat`, `deepseek-reasoner`,
 *    `deepseek-v4-flash`, `deepseek-v4-pro`), the V4 ids with the request's thinking switch;
 * 2. any other name (`-search`, `-think`, `-pro-…`, an alias) goes by its flags: expert → `deepseek-v4-pro`,
 *    otherwise `deepseek-v4-flash`, with thinking on or off; an API that lists neither V4 id gets
 *    `deepseek-reasoner` or `deepseek-chat` instead.
 */
export function apiModelFor(
  name: string,
  flags: Pick<ModelFlags, 'thinking' | 'modelType'>,
  served: readonly string[],
): ApiModelChoice {
  const switched = flags.thinking ? 'enabled' : 'disabled';
  if (served.includes(name)) {
    return { model: name, thinking: NAMED_THINKING.has(name) ? null : switched, fellBack: false };
  }
  const wantsPro = flags.modelType === 'expert';
  if (wantsPro && served.includes(API_PRO)) return { model: API_PRO, thinking: switched, fellBack: false };
  if (served.includes(API_FLASH)) return { model: API_FLASH, thinking: switched, fellBack: wantsPro };
  return { model: flags.thinking ? API_REASONER : API_CHAT, thinking: null, fellBack: wantsPro };
}
