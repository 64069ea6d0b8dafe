import type { ChatUsage } from '../chat/usage';
import type { AnthropicUsage } from './anthropic-types';

/** Our usage in Anthropic's terms, where input read from the prompt cache is counted apart from `input_tokens`. */
export function toAnthropicUsage(usage: ChatUsage): AnthropicUsage {
  const cached = usage.cachedTokens ?? 0;
  return {
    input_tokens: usage.promptTokens - cached,
    output_tokens: usage.completionTokens,
    ...(cached > 0 ? { cache_read_input_tokens: cached } : {}),
  };
}
