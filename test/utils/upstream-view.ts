import type { FakeDeepSeek, MessageView } from '../fake-deepseek';

/** A message the fake upstream recorded, with the session and account it belongs to. */
export interface UpstreamMessage extends MessageView {
  sessionId: string;
  account: string;
}

/** Every message that reached the fake upstream, oldest first. */
export function upstreamMessages(fake: FakeDeepSeek): UpstreamMessage[] {
  return Object.values(fake.state().sessions)
    .flatMap((session) => session.messages.map((m) => ({ ...m, sessionId: session.id, account: session.account })))
    .sort((a, b) => a.startedAt - b.startedAt || a.requestMessageId - b.requestMessageId);
}

/** The one message a test expects the upstream to have received since the last reset. */
export function onlyUpstreamMessage(fake: FakeDeepSeek): UpstreamMessage {
  const messages = upstreamMessages(fake);
  expect(messages).toHaveLength(1);
  return messages[0];
}
