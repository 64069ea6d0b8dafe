import { createHash, type Hash } from 'node:crypto';
import type { ChatMessage, ChatRole } from '../dto/chat-completion-request';
import { contentText } from '../prompt';

/**
 * Fingerprints of a conversation's messages, so that a request whose history extends an exchange this
 * server answered can continue that upstream chat instead of sending the whole history again. A
 * fingerprint covers what the model saw and said: roles (system and developer alike, tool and function
 * alike), text, tool calls by name and arguments, tool results in order. Ids, names and reasoning are
 * left out (clients rewrite or drop them); so is anything not sent upstream.
 *
 * The hash is built as a stream of separators and texts, so that our own answer can be added delta by
 * delta while it streams (no copy of the answer is kept) and still match the same message when the
 * client sends it back.
 */

const MESSAGE = '\u0001';
const TEXT = '\u0002';
const CALL = '\u0003';
const ARGUMENTS = '\u0004';
const FILE = '\u0005';
/**
 * Answer text is hashed in pieces of about this many characters, not one update per streamed delta. Small:
 * the pending pieces are a rope of small strings, held for every open stream.
 */
const TEXT_BATCH = 128;

/** What makes two histories with the same messages different conversations here. */
export interface FingerprintScope {
  /** The API key's hash in managed mode; null where the accounts are the credential. */
  caller: string | null;
  /** The upstream mode the session runs in (fixed by its first turn). */
  modelType: string;
  /** The tool declarations the session's prompt holds; null without tools. */
  toolPromptDigest: string | null;
}

function roleOf(role: ChatRole): string {
  if (role === 'developer') return 'system';
  if (role === 'function') return 'tool';
  return role;
}

/** The arguments as a client sends them back: compact JSON when they parse, else the text as it is. */
function canonicalArguments(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** A running fingerprint: scope, then messages; `copy()` branches it. */
export class ConversationFingerprint {
  /** Text added but not yet hashed (bounded by TEXT_BATCH): the same digest, fewer calls into the hash. */
  private pendingText = '';

  private constructor(private readonly hash: Hash) {}

  static start(scope: FingerprintScope): ConversationFingerprint {
    const hash = createHash('sha256');
    hash.update(JSON.stringify([scope.caller, scope.modelType, scope.toolPromptDigest]));
    return new ConversationFingerprint(hash);
  }

  /** `messages[0, end)` added. */
  static of(scope: FingerprintScope, messages: readonly ChatMessage[], end = messages.length): ConversationFingerprint {
    const fingerprint = ConversationFingerprint.start(scope);
    for (let i = 0; i < end; i++) fingerprint.addMessage(messages[i]);
    return fingerprint;
  }

  addMessage(message: ChatMessage): this {
    this.openMessage(message.isError ? 'tool-error' : roleOf(message.role));
    this.hash.update(contentText(message.content));
    // The markers in the text name files, not their bytes: another picture under the same name is another history.
    for (const { source } of message.attachments) {
      this.hash.update(FILE);
      this.hash.update(source.type === 'url' ? source.url : source.data);
    }
    for (const call of message.toolCalls) this.addCall(call.name, call.arguments);
    return this;
  }

  /** Opens an assistant message whose text and calls follow (`addText`, `addCall`). */
  openAssistant(): this {
    return this.openMessage('assistant');
  }

  addText(text: string): this {
    this.pendingText += text;
    if (this.pendingText.length >= TEXT_BATCH) this.hashPendingText();
    return this;
  }

  addCall(name: string, argumentsJson: string): this {
    this.hashPendingText();
    this.hash.update(`${CALL}${name}${ARGUMENTS}${canonicalArguments(argumentsJson)}`);
    return this;
  }

  copy(): ConversationFingerprint {
    this.hashPendingText();
    return new ConversationFingerprint(this.hash.copy());
  }

  /** The key; the fingerprint cannot be used after this. */
  key(): string {
    this.hashPendingText();
    return this.hash.digest('base64url');
  }

  private openMessage(role: string): this {
    this.hashPendingText();
    this.hash.update(`${MESSAGE}${role}${TEXT}`);
    return this;
  }

  private hashPendingText(): void {
    if (this.pendingText === '') return;
    this.hash.update(this.pendingText);
    this.pendingText = '';
  }
}

/**
 * What a request may continue: the key of its messages through the last assistant message (the
 * exchange a previous answer ended), and the index of the first message after it. Null when there is
 * no assistant message, or nothing after it.
 */
export function continuationPoint(
  scope: FingerprintScope,
  messages: readonly ChatMessage[],
): { key: string; firstNew: number } | null {
  const lastAssistant = messages.findLastIndex((message) => message.role === 'assistant');
  if (lastAssistant < 0 || lastAssistant === messages.length - 1) return null;
  return { key: ConversationFingerprint.of(scope, messages, lastAssistant + 1).key(), firstNew: lastAssistant + 1 };
}
