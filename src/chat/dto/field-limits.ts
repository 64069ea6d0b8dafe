/**
 * The longest client strings we accept, in UTF-16 units; over one, the request is refused with a 400
 * naming the field. They cover every short string that is echoed back (the model name goes into
 * every chunk), reaches a log, or is copied into the prompt as a label. Message texts, tool
 * arguments and reasoning are bounded by MAX_PROMPT_CHARS and the body limit instead.
 */
export const FIELD_LIMITS = {
  model: 256,
  user: 256,
  /** `<36-character session id>@<message id>` (conversation-id.ts). */
  conversationId: 64,
  reasoningEffort: 64,
  /** `messages[].name` and the function names of tool calls. */
  name: 256,
  /** `tool_calls[].id` and `tool_call_id`. */
  toolCallId: 256,
  stopSequence: 256,
  /** An attachment's file name: it goes into the prompt as its marker. */
  fileName: 256,
  /** Entries of a `stop` array: OpenAI's limit. */
  stopSequences: 4,
} as const;
