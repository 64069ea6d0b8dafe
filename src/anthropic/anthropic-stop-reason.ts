import type { ChatEvent } from '../chat/events/chat-event';
import type { AnthropicStopReason } from './anthropic-types';

type Finish = Extract<ChatEvent, { type: 'finish' }>;

/** The finish as Anthropic reports it: `stop_reason` and the `stop_sequence` that cut the answer, if one did. */
export function anthropicStop(finish: Finish): { stop_reason: AnthropicStopReason; stop_sequence: string | null } {
  switch (finish.reason) {
    case 'stop':
      return finish.stopSequence === undefined
        ? { stop_reason: 'end_turn', stop_sequence: null }
        : { stop_reason: 'stop_sequence', stop_sequence: finish.stopSequence };
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool_calls':
      return { stop_reason: 'tool_use', stop_sequence: null };
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
  }
}
