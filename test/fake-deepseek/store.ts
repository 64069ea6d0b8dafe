import { randomUUID } from 'node:crypto';
import type {
  AbortRecord,
  AccountOptions,
  FakeEndpoint,
  FileOutcome,
  FileStatus,
  MessageStatus,
  ModelKind,
  PowRejection,
  SearchResult,
  StreamFormat,
} from './types';

export interface AccountRecord {
  token: string;
  format: StreamFormat | null;
  mutedUntil: number | null;
  dead: boolean;
  banned: boolean;
  inFlight: number;
  maxInFlight: number;
  generations: number;
  busyRefusals: number;
}

/** The whole scripted answer of a message, fixed when it starts. */
export interface MessageAnswer {
  reasoning: string;
  content: string;
  searchResults: SearchResult[] | null;
  tip: boolean;
}

/** What the message's document holds so far (grows with every round). */
export interface MessageProgress {
  reasoning: string;
  content: string;
  thinkingClosed: boolean;
  searchDone: boolean;
  tipDone: boolean;
  usage: number;
}

export interface MessageRecord {
  requestMessageId: number;
  responseMessageId: number;
  parentMessageId: number | null;
  prompt: string;
  /** The effective type (`model_type: null` resolved). */
  modelType: string;
  /** What the body carried: `model_type` (null when null or absent), `source`, `preempt`, an `action` key. */
  modelTypeSent: string | null;
  source: string | null;
  preempt: boolean | null;
  actionSent: boolean;
  thinkingEnabled: boolean;
  searchEnabled: boolean;
  refFileIds: string[];
  format: StreamFormat;
  status: MessageStatus;
  rounds: number;
  replay: string | null;
  replayRound2: Buffer | null;
  /** Characters the next continue snapshot reveals that the last round never streamed. */
  unsentChars: number;
  startedAt: number;
  endedAt: number | null;
  insertedAt: number;
  answer: MessageAnswer;
  progress: MessageProgress;
}

/** An uploaded (or forked) file; its status is derived from `plan` by files.ts. */
export interface FileRecord {
  id: string;
  account: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  isImage: boolean;
  modelKind: ModelKind;
  status: FileStatus;
  polls: number;
  /** Fixed at upload: how it will end and when. */
  plan: {
    outcome: FileOutcome;
    errorCode: string;
    pollsToParsing: number;
    pollsToDone: number;
    parseDelayMs: number | null;
  };
  tokenUsage: number;
  forkedFrom: string | null;
  uploadedAtMs: number;
  insertedAt: number;
  updatedAt: number;
}

export interface SessionRecord {
  id: string;
  account: string;
  seqId: number;
  createdAt: number;
  deleted: boolean;
  lastMessageId: number;
  messages: MessageRecord[];
}

export type NewMessage = Omit<
  MessageRecord,
  | 'requestMessageId'
  | 'responseMessageId'
  | 'status'
  | 'rounds'
  | 'unsentChars'
  | 'startedAt'
  | 'endedAt'
  | 'insertedAt'
>;

/** Accounts, sessions, messages, locks and request statistics. */
export class FakeStore {
  readonly accounts = new Map<string, AccountRecord>();
  readonly sessions = new Map<string, SessionRecord>();
  readonly files = new Map<string, FileRecord>();
  readonly requests: Partial<Record<FakeEndpoint, number>> = {};
  readonly lastHeaders: Partial<Record<FakeEndpoint, Record<string, string>>> = {};
  readonly aborts: AbortRecord[] = [];
  readonly powRejections: PowRejection[] = [];
  inFlight = 0;
  maxInFlight = 0;
  openStreams = 0;
  private nextSeqId = 196175956;

  upsertAccounts(accounts: Map<string, AccountOptions | null>): void {
    for (const [token, options] of accounts) {
      if (options === null) {
        this.accounts.delete(token);
        continue;
      }
      const existing = this.accounts.get(token);
      if (existing) {
        if (options.format !== undefined) existing.format = options.format;
        if (options.mutedUntil !== undefined) existing.mutedUntil = options.mutedUntil;
        existing.dead = false;
        existing.banned = false;
        continue;
      }
      this.accounts.set(token, {
        token,
        format: options.format ?? null,
        mutedUntil: options.mutedUntil ?? null,
        dead: false,
        banned: false,
        inFlight: 0,
        maxInFlight: 0,
        generations: 0,
        busyRefusals: 0,
      });
    }
  }

  /** A known, live account. */
  liveAccount(token: string | undefined): AccountRecord | undefined {
    const account = token === undefined ? undefined : this.accounts.get(token);
    return account && !account.dead ? account : undefined;
  }

  recordRequest(endpoint: FakeEndpoint, headers: Record<string, string>): void {
    this.requests[endpoint] = (this.requests[endpoint] ?? 0) + 1;
    this.lastHeaders[endpoint] = headers;
  }

  createSession(account: string): SessionRecord {
    const session: SessionRecord = {
      id: randomUUID(),
      account,
      seqId: this.nextSeqId++,
      createdAt: Date.now() / 1000,
      deleted: false,
      lastMessageId: 0,
      messages: [],
    };
    this.sessions.set(session.id, session);
    return session;
  }

  ownedSession(id: unknown, account: string): SessionRecord | undefined {
    const session = typeof id === 'string' ? this.sessions.get(id) : undefined;
    return session && !session.deleted && session.account === account ? session : undefined;
  }

  deleteSessions(account: string, ids: unknown[]): void {
    for (const id of ids) {
      const session = this.ownedSession(id, account);
      if (session) session.deleted = true;
    }
  }

  deleteAllSessions(account: string): void {
    for (const session of this.sessions.values()) if (session.account === account) session.deleted = true;
  }

  hasMessageId(session: SessionRecord, id: number): boolean {
    return Number.isInteger(id) && id >= 1 && id <= session.lastMessageId;
  }

  responseMessage(session: SessionRecord, responseMessageId: number): MessageRecord | undefined {
    return session.messages.find((m) => m.responseMessageId === responseMessageId);
  }

  addMessage(session: SessionRecord, fields: NewMessage): MessageRecord {
    const now = Date.now();
    const message: MessageRecord = {
      ...fields,
      requestMessageId: session.lastMessageId + 1,
      responseMessageId: session.lastMessageId + 2,
      status: 'WIP',
      rounds: 0,
      unsentChars: 0,
      startedAt: now,
      endedAt: null,
      insertedAt: now / 1000,
    };
    session.lastMessageId += 2;
    session.messages.push(message);
    return message;
  }

  /** True (and counted as a refusal) when the account already runs a generation. */
  refuseAsBusy(account: AccountRecord, allowConcurrent: boolean): boolean {
    if (account.inFlight === 0 || allowConcurrent) return false;
    account.busyRefusals++;
    return true;
  }

  /** Takes the account's generation lock. */
  acquire(token: string): void {
    const account = this.accounts.get(token);
    if (!account) return;
    account.inFlight++;
    account.generations++;
    account.maxInFlight = Math.max(account.maxInFlight, account.inFlight);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
  }

  release(token: string): void {
    const account = this.accounts.get(token);
    if (account && account.inFlight > 0) account.inFlight--;
    if (this.inFlight > 0) this.inFlight--;
  }
}
