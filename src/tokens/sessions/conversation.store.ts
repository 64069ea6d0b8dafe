/** Where an exchange this server answered lives upstream, and who may continue it. No text, only ids. */
export interface ConversationTurn {
  sessionId: string;
  /** The upstream id of our answer: the parent of the next turn. */
  messageId: number;
  /** The account that holds the session. */
  accountId: string;
  /** The API key's hash in managed mode; null where the accounts are the credential. */
  caller: string | null;
}

/**
 * Exchanges by conversation fingerprint (src/chat/continuation), so that a request whose history
 * extends one continues its upstream chat. Bounded and expiring; in memory now, async for a shared
 * store later.
 */
export abstract class ConversationStore {
  abstract find(key: string): Promise<ConversationTurn | undefined>;

  abstract remember(key: string, turn: ConversationTurn): Promise<void>;
}
