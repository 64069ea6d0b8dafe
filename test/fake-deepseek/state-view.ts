import type { FaultQueue } from './faults';
import { fileView } from './files';
import type { PowAuthority } from './pow';
import type { FakeStore, MessageRecord } from './store';
import type { FakeState, MessageView } from './types';

/** A detached, JSON-safe copy of everything tests may assert on. */
export function buildState(store: FakeStore, faults: FaultQueue, pow: PowAuthority): FakeState {
  const accounts: FakeState['accounts'] = {};
  for (const a of store.accounts.values()) {
    accounts[a.token] = {
      dead: a.dead,
      banned: a.banned,
      mutedUntil: a.mutedUntil,
      format: a.format,
      inFlight: a.inFlight,
      maxInFlight: a.maxInFlight,
      generations: a.generations,
      busyRefusals: a.busyRefusals,
    };
  }
  const sessions: FakeState['sessions'] = {};
  for (const s of store.sessions.values()) {
    const { id, account, deleted, createdAt } = s;
    sessions[id] = { id, account, deleted, createdAt, messages: s.messages.map(messageView) };
  }
  const files: FakeState['files'] = {};
  for (const file of store.files.values()) files[file.id] = fileView(file);
  return {
    requests: { ...store.requests },
    lastHeaders: Object.fromEntries(Object.entries(store.lastHeaders).map(([key, value]) => [key, { ...value }])),
    accounts,
    sessions,
    files,
    aborts: store.aborts.map((abort) => ({ ...abort })),
    faults: faults.view(),
    pow: { issued: pow.issued, verified: pow.verified, rejected: store.powRejections.map((r) => ({ ...r })) },
    inFlight: store.inFlight,
    maxInFlight: store.maxInFlight,
    openStreams: store.openStreams,
  };
}

function messageView(m: MessageRecord): MessageView {
  return {
    requestMessageId: m.requestMessageId,
    responseMessageId: m.responseMessageId,
    parentMessageId: m.parentMessageId,
    prompt: m.prompt,
    modelType: m.modelType,
    modelTypeSent: m.modelTypeSent,
    source: m.source,
    preempt: m.preempt,
    actionSent: m.actionSent,
    thinkingEnabled: m.thinkingEnabled,
    searchEnabled: m.searchEnabled,
    refFileIds: [...m.refFileIds],
    format: m.format,
    reasoning: m.progress.reasoning,
    content: m.progress.content,
    status: m.status,
    accumulatedTokenUsage: m.progress.usage,
    rounds: m.rounds,
    replay: m.replay,
    startedAt: m.startedAt,
    endedAt: m.endedAt,
  };
}
