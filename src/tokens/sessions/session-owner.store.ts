/** Who a continued conversation belongs to: the account that holds the upstream session, and the caller. */
export interface ConversationOwner {
  accountId: string;
  /** The API key's hash in managed mode; null where the accounts themselves are the credential. */
  caller: string | null;
  /**
   * A digest of the tool declarations the session's history already holds (none: absent), so that a
   * continuation declaring the same tools sends only the reminder, not the whole tool block again.
   */
  toolPromptDigest?: string;
}

/**
 * Which account owns an upstream chat session (conversation_id), so a continuation runs on the
 * account that created it, and only for the caller that started it. In memory now; a Redis
 * implementation binds to the same token later, hence the async signatures.
 */
export abstract class SessionOwnerStore {
  /** The owner, or undefined when unknown or expired. */
  abstract ownerOf(sessionId: string): Promise<ConversationOwner | undefined>;

  /** Records (or refreshes) the owner; each continuation calls it again, which restarts the lifetime. */
  abstract remember(sessionId: string, owner: ConversationOwner): Promise<void>;

  abstract forget(sessionId: string): Promise<void>;
}
