import type { ChatMessage } from './types';

/** The cache works in 64-token units. */
export const CACHE_UNIT = 64;
const REMEMBERED_PROMPTS = 100;

/**
 * One token per word (with its leading whitespace) or punctuation mark; whitespace at the end is a
 * token of its own. Joining the pieces gives the text back.
 */
export function pieces(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}_]+|\s*[^\s\p{L}\p{N}_]|\s+/gu) ?? [];
}

export function messageText(message: ChatMessage): string {
  const parts: string[] = [];
  if (typeof message.content === 'string') parts.push(message.content);
  else if (Array.isArray(message.content)) {
    for (const part of message.content as { text?: unknown }[]) {
      if (typeof part.text === 'string') parts.push(part.text);
    }
  }
  if (typeof message.reasoning_content === 'string') parts.push(message.reasoning_content);
  for (const call of message.tool_calls ?? []) parts.push(call.function.name, call.function.arguments);
  return parts.join(' ');
}

/** The prompt as tokens: a role marker, then the pieces of each message's text. */
export function promptTokens(messages: readonly ChatMessage[]): string[] {
  return messages.flatMap((m) => [`<|${m.role}|>`, ...pieces(messageText(m))]);
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  prompt_cache_hit_tokens: number;
  prompt_cache_miss_tokens: number;
  completion_tokens_details: { reasoning_tokens: number };
}

export function usageOf(prompt: number, hit: number, completion: number, reasoning: number): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: hit },
    prompt_cache_hit_tokens: hit,
    prompt_cache_miss_tokens: prompt - hit,
    completion_tokens_details: { reasoning_tokens: reasoning },
  };
}

/** Per key: the longest prefix shared with an earlier prompt of that key, in whole 64-token units. */
export class PrefixCache {
  private readonly prompts = new Map<string, string[][]>();

  hitAndRemember(keyId: string, tokens: string[]): number {
    const seen = this.prompts.get(keyId) ?? [];
    let longest = 0;
    for (const earlier of seen) longest = Math.max(longest, commonPrefix(earlier, tokens));
    seen.push(tokens);
    if (seen.length > REMEMBERED_PROMPTS) seen.shift();
    this.prompts.set(keyId, seen);
    return Math.floor(longest / CACHE_UNIT) * CACHE_UNIT;
  }

  clear(): void {
    this.prompts.clear();
  }
}

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}
