import type { WireEncoderFactory } from '../chat/wire-encoder';
import { anthropicMessageId } from './anthropic-ids';
import { toAnthropicMessage } from './anthropic-message-aggregator';
import { ANTHROPIC_PING_FRAME, anthropicErrorFrame, toAnthropicSse } from './anthropic-sse';
import type { AnthropicMessage } from './anthropic-types';

/**
 * Anthropic Messages: a `message`, or its stream events (no `[DONE]`, `ping` keep-alives). The model is
 * echoed as the client named it, not as the alias table resolved it.
 */
export function anthropicEncoder(clientModel: string): WireEncoderFactory<AnthropicMessage> {
  return (plan) => {
    const identity = { id: anthropicMessageId(), model: clientModel };
    return {
      body: () => toAnthropicMessage(identity, plan.promptTokens),
      frames: () => toAnthropicSse(identity, plan.promptTokens),
      errorFrame: anthropicErrorFrame,
      keepAliveFrame: () => ANTHROPIC_PING_FRAME,
    };
  };
}
