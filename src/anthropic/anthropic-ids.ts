import { createHmac, randomBytes } from 'node:crypto';

/** Signs thinking blocks; a new key per process is enough, since a signature is never checked. */
const SIGNING_KEY = randomBytes(32);

export function anthropicMessageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

/** Our tool call ids (`call_…`) as Anthropic's clients know them (`toolu_…`), same suffix. */
export function anthropicToolUseId(callId: string): string {
  return `toolu_${callId.startsWith('call_') ? callId.slice('call_'.length) : callId}`;
}

/**
 * The `signature` of a thinking block: opaque to clients, who must send it back with the block. We accept
 * it back and ignore it (the upstream cannot take reasoning back), so it only has to look like one.
 */
export function thinkingSignature(thinking: string): string {
  return createHmac('sha256', SIGNING_KEY).update(thinking).digest('base64url');
}
