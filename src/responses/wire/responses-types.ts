/** The OpenAI Responses API objects we produce (docs/api.md §9), reduced to the fields we fill. */

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: never[];
  logprobs: never[];
}

export interface SummaryTextPart {
  type: 'summary_text';
  text: string;
}

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface ReasoningItem {
  id: string;
  type: 'reasoning';
  summary: SummaryTextPart[];
  /** Never a real encrypted blob: the web chat has none. Sent as null; clients send it back and we ignore it. */
  encrypted_content: null;
  status: ItemStatus;
}

export interface MessageItem {
  id: string;
  type: 'message';
  role: 'assistant';
  status: ItemStatus;
  content: OutputTextPart[];
}

export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  call_id: string;
  name: string;
  /** A JSON object's text. */
  arguments: string;
}

export interface CustomToolCallItem {
  id: string;
  type: 'custom_tool_call';
  status: ItemStatus;
  call_id: string;
  name: string;
  /** The raw free-text input. */
  input: string;
}

export type OutputItem = ReasoningItem | MessageItem | FunctionCallItem | CustomToolCallItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** The request's settings a Response echoes back. */
export interface ResponseEcho {
  instructions: string | null;
  model: string;
  tools: unknown[];
  tool_choice: unknown;
  parallel_tool_calls: boolean;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  previous_response_id: string | null;
  metadata: Record<string, string>;
  store: boolean;
  reasoning: { effort: string | null; summary: string | null } | null;
  text: { format: unknown };
}

export interface ResponseObject extends ResponseEcho {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' } | null;
  output: OutputItem[];
  /** Once the response is finished. */
  usage?: ResponseUsage;
}

/** One stream event before its `sequence_number` is stamped on. */
export interface StreamEvent {
  type: string;
  [field: string]: unknown;
}
