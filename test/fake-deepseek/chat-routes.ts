import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { isStreamFormat } from './config';
import { type ApiRequest, authorize, type FakeContext, parseMessageId, type RouteHandler } from './context';
import type { GenerationSpec } from './generation';
import {
  BUSY_MESSAGE,
  sendBizError,
  sendCodeError,
  sendInvalidMessage,
  sendInvalidSession,
  sendSseError,
  sendUnprocessable,
} from './http-responses';
import { referencedFiles } from './file-routes';
import { isKnownModelType } from './models';
import { COMPLETION_PATH } from './pow';
import { loadReplay } from './replay';
import { planRound } from './script';
import type { AccountRecord, MessageAnswer, MessageRecord, SessionRecord } from './store';
import { codePointLength, firstCodePoints } from './tokenizer';
import type { BusyForm, ReplyRequest, StreamFormat } from './types';

/** `POST /api/v0/chat/completion`, validated in the order of §10.4. */
export const completion: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res, true);
  if (!account || !checkPow(ctx, req, res, account.token, true)) return;
  const { body } = req;
  const session = ctx.store.ownedSession(body.chat_session_id, account.token);
  if (!session) return sendInvalidSession(res);
  const parent = parseMessageId(body.parent_message_id);
  if (parent === undefined || (parent !== null && !ctx.store.hasMessageId(session, parent))) {
    return sendInvalidMessage(res);
  }
  if (ctx.store.refuseAsBusy(account, ctx.config.allowConcurrentGenerations)) return sendBusy(res, ctx.config.busyForm);
  const modelType = effectiveModelType(body.model_type, session);
  if (!modelAvailable(ctx, req, modelType)) return sendBizError(res, 1, 'model type not available');
  const files = referencedFiles(ctx, account.token, body.ref_file_ids);
  if (!files) return sendBizError(res, 9, 'invalid ref file id');
  if (typeof body.prompt !== 'string') return sendUnprocessable(res, 'prompt', 'field required');
  const invalid = invalidOptionalField(body);
  if (invalid) return sendUnprocessable(res, invalid.field, invalid.msg);

  const prompt = body.prompt;
  const firstExchange = session.messages.length === 0;
  const request: ReplyRequest = {
    account: account.token,
    sessionId: session.id,
    prompt,
    parentMessageId: parent,
    history: chainOf(ctx, session, parent),
    thinkingEnabled: body.thinking_enabled === true,
    searchEnabled: body.search_enabled === true,
    modelType,
    files,
    body,
  };
  const replay = ctx.takeReplay();
  const replayRounds = replay === null ? null : loadReplay(ctx.config.capturesDir, replay).rounds;
  const message = ctx.store.addMessage(session, {
    parentMessageId: parent,
    prompt,
    modelType,
    modelTypeSent: typeof body.model_type === 'string' ? body.model_type : null,
    source: typeof body.source === 'string' ? body.source : null,
    preempt: typeof body.preempt === 'boolean' ? body.preempt : null,
    actionSent: Object.hasOwn(body, 'action'),
    thinkingEnabled: request.thinkingEnabled,
    searchEnabled: request.searchEnabled,
    refFileIds: files.map((f) => f.id),
    format: replayRounds ? 'C' : chooseFormat(ctx, req, account),
    replay,
    replayRound2: null,
    answer: scriptedAnswer(ctx, request),
    progress: {
      reasoning: '',
      content: '',
      thinkingClosed: false,
      searchDone: false,
      tipDone: false,
      usage: Math.ceil(codePointLength(prompt) / 2),
    },
  });
  if (replayRounds) {
    const source = { replay: replayRounds[0], nextRound: replayRounds[1] ?? null };
    return start(ctx, res, account, 'completion', session, message, source);
  }
  const script = planRound(message, {
    format: message.format,
    charsPerFrame: ctx.config.charsPerFrame,
    emitFinish: ctx.config.emitFinish,
    title: firstExchange ? firstCodePoints(prompt, 30) : null,
    fault: ctx.faults.take(account.token, 'completion', 'stream'),
    continuing: false,
  });
  start(ctx, res, account, 'completion', session, message, { script });
};

/** `POST /api/v0/chat/continue`: resumes an INCOMPLETE message in the same message (§4.5). */
export const continueMessage: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res, true);
  if (!account || !checkPow(ctx, req, res, account.token, ctx.config.strictContinuePow)) return;
  const session = ctx.store.ownedSession(req.body.chat_session_id, account.token);
  if (!session) return sendInvalidSession(res);
  const messageId = parseMessageId(req.body.message_id);
  const message = typeof messageId === 'number' ? ctx.store.responseMessage(session, messageId) : undefined;
  if (!message || message.status !== 'INCOMPLETE') return sendInvalidMessage(res);
  if (ctx.store.refuseAsBusy(account, ctx.config.allowConcurrentGenerations)) return sendBusy(res, ctx.config.busyForm);

  if (message.replayRound2) {
    const replay = message.replayRound2;
    message.replayRound2 = null;
    return start(ctx, res, account, 'continue', session, message, { replay, nextRound: null });
  }
  const header = req.headers['x-fake-format'];
  const script = planRound(message, {
    format: isStreamFormat(header) ? header : message.format,
    charsPerFrame: ctx.config.charsPerFrame,
    emitFinish: ctx.config.emitFinish,
    title: null,
    fault: ctx.faults.take(account.token, 'continue', 'stream'),
    continuing: true,
  });
  start(ctx, res, account, 'continue', session, message, { script });
};

export function sendBusy(res: ServerResponse, form: BusyForm): void {
  if (form === 'sse') sendSseError(res, traceId(), BUSY_MESSAGE);
  else sendBizError(res, 1, BUSY_MESSAGE);
}

export const traceId = (): string => randomUUID().replaceAll('-', '');

function checkPow(ctx: FakeContext, req: ApiRequest, res: ServerResponse, account: string, strict: boolean): boolean {
  if (!ctx.config.verifyPow) return true;
  const header = req.headers['x-ds-pow-response'];
  const check = ctx.pow.verify(typeof header === 'string' ? header : undefined, {
    account,
    targetPath: COMPLETION_PATH,
    strict,
  });
  if (check.ok) return true;
  ctx.store.powRejections.push({ endpoint: req.endpoint, account, reason: check.reason, at: Date.now() });
  sendCodeError(res, check.code, check.code === 40300 ? 'MISSING_HEADER' : 'INVALID_POW_RESPONSE');
  return false;
}

/** Follow-up turns send `model_type: null`: the session keeps the type of its last message. */
function effectiveModelType(sent: unknown, session: SessionRecord): string {
  if (typeof sent === 'string') return sent;
  if (sent === null) return session.messages.at(-1)?.modelType ?? 'default';
  return 'default';
}

/** The optional 2026 fields (`source`, `action`, `preempt`), typed as FastAPI would check them. */
function invalidOptionalField(body: Record<string, unknown>): { field: string; msg: string } | null {
  if (body.source !== undefined && body.source !== null && typeof body.source !== 'string') {
    return { field: 'source', msg: 'str type expected' };
  }
  if (body.action !== undefined && body.action !== null) return { field: 'action', msg: 'value is not none' };
  if (body.preempt !== undefined && body.preempt !== null && typeof body.preempt !== 'boolean') {
    return { field: 'preempt', msg: 'value could not be parsed to a boolean' };
  }
  return null;
}

/** The exchanges up to `parent` in `session`, oldest first. */
function chainOf(
  ctx: FakeContext,
  session: SessionRecord,
  parent: number | null,
): { prompt: string; content: string }[] {
  const chain: { prompt: string; content: string }[] = [];
  for (let id = parent; id !== null;) {
    const message = ctx.store.responseMessage(session, id);
    if (!message) break;
    chain.unshift({ prompt: message.prompt, content: message.answer.content });
    id = message.parentMessageId;
  }
  return chain;
}

function modelAvailable(ctx: FakeContext, req: ApiRequest, modelType: string): boolean {
  if (!isKnownModelType(modelType) || ctx.config.unavailableModels.includes(modelType)) return false;
  return !(req.modelUnavailable && modelType === 'expert');
}

/** Test-only header first, then the account's format, then the global one. */
function chooseFormat(ctx: FakeContext, req: ApiRequest, account: AccountRecord): StreamFormat {
  const header = req.headers['x-fake-format'];
  return isStreamFormat(header) ? header : (account.format ?? ctx.config.format);
}

function scriptedAnswer(ctx: FakeContext, request: ReplyRequest): MessageAnswer {
  const { config } = ctx;
  const base = config.echo ? { reasoning: config.reply.reasoning, content: echoed(request) } : config.reply;
  const custom = ctx.replyFor?.(request) ?? {};
  const searched = request.searchEnabled && config.searchResults.length > 0;
  let content = custom.content ?? base.content;
  if (searched && !content.includes('[citation:')) content += '[citation:1]';
  return {
    reasoning: request.thinkingEnabled ? (custom.reasoning ?? base.reasoning) : '',
    content,
    searchResults: searched ? config.searchResults : null,
    tip: config.emitTip,
  };
}

/** Echo mode: the prompt, then `[files: a.png, b.pdf]` when files were attached (the model "read" them). */
function echoed(request: ReplyRequest): string {
  if (request.files.length === 0) return request.prompt;
  return `${request.prompt} [files: ${request.files.map((f) => f.fileName).join(', ')}]`;
}

function start(
  ctx: FakeContext,
  res: ServerResponse,
  account: AccountRecord,
  endpoint: GenerationSpec['endpoint'],
  session: SessionRecord,
  message: MessageRecord,
  source: GenerationSpec['source'],
): void {
  const { firstByteDelayMs, tokenDelayMs, heartbeatIntervalMs, titleDelayMs, keepGeneratingAfterDisconnect } =
    ctx.config;
  const spec: GenerationSpec = {
    account: account.token,
    endpoint,
    session,
    message,
    source,
    pacing: { firstByteDelayMs, tokenDelayMs, heartbeatIntervalMs, titleDelayMs },
    keepGeneratingAfterDisconnect,
  };
  ctx.startGeneration(spec, res);
}
