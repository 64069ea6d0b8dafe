/**
 * Which account owns an upstream chat session (conversation_id), so a continuation runs on the
 * account that created it. In memory now; a Redis implementation binds to the same token later,
 * hence the async signatures.
 */
export abstract class SessionOwners {
  /** The owning account's id, or undefined when unknown or expired. */
  abstract ownerOf(sessionId: string): Promise<string | undefined>;

  /** Records (or refreshes) the owner; each continuation calls it again, which restarts the lifetime. */
  abstract remember(sessionId: string, accountId: string): Promise<void>;

  abstract forget(sessionId: string): Promise<void>;
}
