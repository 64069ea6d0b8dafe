import type { Observable } from 'rxjs';
import type { DeepSeekEvent } from './stream/deepseek-event';

export type ModelType = 'default' | 'expert';

/** `client/settings?scope=model`: which model types the account may use (`default`, `expert`, `vision`…). */
export type ModelAvailability = Readonly<Record<string, boolean>>;

/** What `users/current` tells about an account. */
export interface UpstreamAccount {
  /** Unix ms until which the account is muted, or null. */
  mutedUntilMs: number | null;
}

export interface CompletionOptions {
  /** The account's userToken; never logged. */
  token: string;
  prompt: string;
  thinking: boolean;
  search: boolean;
  modelType: ModelType;
  /** Continue this upstream session (native continuation); without it a new session is created. */
  sessionId?: string;
  /** The response message id to answer after; null/absent starts the session's first turn. */
  parentMessageId?: number | null;
  /** Files uploaded to this account (file/upload_file), all of them `SUCCESS`. */
  refFileIds?: readonly string[];
  /** Aborting cancels whatever is in flight (session, PoW, stream) and sends stop_stream if a message started. */
  signal: AbortSignal;
}

export interface UpstreamCompletion {
  sessionId: string;
  /** Ids of the new exchange, from the upstream's first event (null if it never said). */
  requestMessageId: number | null;
  responseMessageId: number | null;
  /**
   * Every event of the generation, continue rounds spliced in (each text emitted once). Completes
   * after the terminal status; errors with an UpstreamError. Subscribe once.
   */
  events: Observable<DeepSeekEvent>;
  /**
   * Resolves when DeepSeek is done with the account: the body closed after the terminal status (title
   * generation included), the grace for it ran out, or the message was stopped. Until then the account
   * counts as generating upstream, so its lease must be held. Never rejects.
   */
  closed: Promise<void>;
  /** Stops reading the upstream body (our own client is not reading): memory stays bounded. */
  pause: () => void;
  /** Reads on after `pause()`. */
  resume: () => void;
}

/** A file to upload to an account. */
export interface FileUpload {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/** A file DeepSeek holds for an account; it may be referenced once `SUCCESS` (parsed). */
export interface UpstreamFile {
  id: string;
  /** `PENDING` → `PARSING` → `SUCCESS` or `FAILED`. */
  status: string;
  /** DeepSeek's reason for `FAILED`, when it gave one. */
  errorCode: string | null;
}

/** Everything the app asks of DeepSeek. The rest of the app never sees HTTP. */
export abstract class DeepSeekClient {
  /** `users/current`: the account's state, or an UpstreamError (`auth` for a dead token). */
  abstract checkToken(token: string, signal?: AbortSignal): Promise<UpstreamAccount>;

  /**
   * Session creation and PoW run concurrently, then the completion request. Resolves once the
   * upstream's first event arrived, so refusals (busy, muted, auth, blocked…) reject here, before any
   * byte has reached our own client.
   */
  abstract startCompletion(options: CompletionOptions): Promise<UpstreamCompletion>;

  /** `client/settings?scope=model`: the model types this account may use, by name. */
  abstract modelSettings(token: string, signal?: AbortSignal): Promise<ModelAvailability>;

  /** Best effort: asks the upstream to stop generating a message. Never throws. */
  abstract stopStream(token: string, sessionId: string, messageId: number): Promise<void>;

  abstract deleteSession(token: string, sessionId: string): Promise<void>;

  /** `file/upload_file`, with its own proof of work: the file as DeepSeek first reports it (often `PENDING`). */
  abstract uploadFile(token: string, file: FileUpload, signal: AbortSignal): Promise<UpstreamFile>;

  /** `file/fetch_files`: the current state of the account's files, by id. */
  abstract fetchFiles(token: string, fileIds: readonly string[], signal: AbortSignal): Promise<UpstreamFile[]>;
}
