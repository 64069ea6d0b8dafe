import type { Attachment } from '../attachments/attachment';
import type { ChatRole, TextPart } from '../chat/dto/chat-completion-request';

/**
 * A Responses input item as the conversation needs it: what the model must see, nothing else
 * (reasoning and hosted-tool items are gone by now; item references are resolved, or still to be).
 */
export type InputItem =
  /** `attachments`: a user message's images and files, in this request only (never stored: see `withoutAttachments`). */
  | { type: 'message'; role: ChatRole; content: string | TextPart[]; attachments?: Attachment[] }
  /** A function or custom tool call; a custom call's arguments are `{"input": <raw text>}`. */
  | { type: 'call'; callId: string; name: string; arguments: string }
  | { type: 'callOutput'; callId: string; output: string }
  /** `item_reference`: resolved against stored responses; `param` names it for a 400. */
  | { type: 'reference'; id: string; param: string };

export type ResolvedItem = Exclude<InputItem, { type: 'reference' }>;
