import { formatConversationId, parseConversationId } from './conversation-id';

describe('conversation id', () => {
  const session = '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e';

  it('should format and parse back', () => {
    const id = formatConversationId(session, 4);
    expect(id).toBe(`${session}@4`);
    expect(parseConversationId(id)).toEqual({ sessionId: session, messageId: 4 });
  });

  it.each([
    session,
    `${session}@`,
    `${session}@-1`,
    `${session}@1.5`,
    `${session}@2@3`,
    `${session}x@2`,
    `@2`,
    `${session}@1e3`,
  ])('should reject %j', (value) => {
    expect(parseConversationId(value)).toBeNull();
  });

  it('should reject a message id beyond the safe integers', () => {
    expect(parseConversationId(`${session}@9007199254740993`)).toBeNull();
    expect(parseConversationId(`${session}@9007199254740991`)?.messageId).toBe(9007199254740991);
  });
});
