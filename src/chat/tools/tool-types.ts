/**
 * Emulated tool calling (docs/tool-calls.md): the declared tools of a request and what the tool stage
 * produces. Framework-free; the chat service adapts requests to these types and acts on the signals.
 */

/** A JSON Schema object as the client sent it; we only read it. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** `function` tools take JSON arguments; a `custom` tool takes one raw-text parameter, `input`. */
export type ToolKind = 'function' | 'custom';

export interface DeclaredTool {
  name: string;
  description: string | null;
  /** JSON Schema of the arguments object; null when the client sent none. */
  parameters: JsonSchema | null;
  /** The client asked for schema-exact arguments: a schema violation costs one re-prompt. */
  strict: boolean;
  kind: ToolKind;
}

/** `none` never reaches the tool stage as active: the parser then runs in text-only mode. */
export type ToolChoice = 'none' | 'auto' | 'required' | { name: string };

export interface ToolRequest {
  /** Already reduced by `allowed_tools`; built-in and server tools removed. */
  tools: readonly DeclaredTool[];
  choice: ToolChoice;
  /** `parallel_tool_calls` (OpenAI) or the negation of `disable_parallel_tool_use` (Anthropic). */
  parallel: boolean;
}

/** `dsml` writes `<|DSML|tool_calls>`; `plain` writes `<tool_calls>`. The parser accepts both either way. */
export type MarkupSpelling = 'dsml' | 'plain';

export type ToolErrorCode = 'tool_choice_violation';

export type ToolFinish = 'stop' | 'tool_calls' | 'length' | ToolErrorCode;

/** How the upstream reply ended, after the chat service spliced any continue rounds. */
export type UpstreamEnd = 'FINISHED' | 'INCOMPLETE';

export type MalformedReason =
  'mismatched_tag' | 'unexpected_text' | 'missing_name' | 'truncated' | 'unclosed_cdata' | 'over_cap' | 'bad_json';

export type RepromptReason = 'unknown_name' | 'malformed' | 'schema_invalid' | 'no_call';

/** Something worth a log line or a counter; the tool stage itself never logs. */
export type ToolNoticeKind =
  | 'name_normalised'
  | 'repeated_parameter'
  | 'extra_parallel_call_dropped'
  | 'duplicate_call_dropped'
  | 'unknown_call_dropped'
  | 'block_dropped'
  | 'text_fallback'
  | 'failed_closed'
  | 'trailing_text_dropped'
  | 'reasoning_promoted'
  | 'schema_invalid_passed';

export type ToolEvent =
  | { type: 'text'; text: string }
  /** One complete call; `index` counts 0, 1, 2… over the whole response, ids are unique. */
  | { type: 'toolCall'; index: number; id: string; name: string; kind: ToolKind; argumentsJson: string }
  | { type: 'end'; finish: ToolFinish };

export type ToolSignal =
  /**
   * Abort the upstream read and send the upstream stop call: text followed a block (it is dropped), a
   * re-prompt follows, or the reply failed after calls went out.
   */
  | { type: 'stopUpstream'; reason: 'trailing_text' | 'reprompt' | 'failed_after_calls' | 'tool_choice_violation' }
  /**
   * Send `message` as a new user turn in the same upstream chat (parent: the failed reply), then call
   * `beginRepromptRound()` and feed the new reply. Never raised after a call was emitted.
   */
  | { type: 'repromptNeeded'; reason: RepromptReason; message: string }
  /** A call was promoted out of reasoning: a non-stream answer reports this reasoning instead. */
  | { type: 'reasoningReplaced'; reasoning: string }
  | { type: 'notice'; kind: ToolNoticeKind; detail: string };

export type ToolStageOutput = ToolEvent | ToolSignal;

export type EmitToolOutput = (output: ToolStageOutput) => void;
