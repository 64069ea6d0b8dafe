import type { ReplyHook } from './types';

/**
 * A scripted model for corrective turns: it answers `first`, and `corrected` to a prompt that asks it to
 * reply again (the gateway's corrective message for a tool call or `response_format` JSON that failed).
 */
export function correctedModel(first: string, corrected: string): ReplyHook {
  return ({ prompt }) => ({ content: prompt.includes('Reply again') ? corrected : first });
}
