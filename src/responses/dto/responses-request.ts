import type { RequestLimits } from '../../chat/dto/chat-completion-request';
import type { ResponseFormat } from '../../chat/structured-output/response-format';
import type { ToolRequest } from '../../chat/tools/tool-types';
import type { InputItem } from '../input-items';
import type { ResponseEcho } from '../wire/responses-types';

/** A validated `POST /v1/responses` body (docs/api.md §9), before the stored state is resolved. */
export interface ResponsesRequest {
  model: string;
  instructions: string | null;
  input: InputItem[];
  /** Hosted-tool items left out of `input`, for a log note. */
  skippedItems: number;
  droppedPartTypes: string[];
  stream: boolean;
  store: boolean;
  previousResponseId: string | null;
  tools: ToolRequest | null;
  responseFormat: ResponseFormat | null;
  /** `reasoning.effort`: `none` and `minimal` turn thinking off, any other effort on; null: the model name decides. */
  thinking: 'enabled' | 'disabled' | null;
  maxOutputTokens: number | null;
  /** What the Response object repeats of the request. */
  echo: ResponseEcho;
}

export type ResponsesLimits = RequestLimits;
