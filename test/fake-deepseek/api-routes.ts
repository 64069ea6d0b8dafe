import { createHash } from 'node:crypto';
import { authorize, isMuted, parseMessageId, type RouteHandler } from './context';
import { sendBizError, sendInvalidMessage, sendInvalidSession, sendJson, sendOk } from './http-responses';
import { modelConfigs } from './models';
import { POW_TARGET_PATHS } from './pow';

export const usersCurrent: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  const muted = isMuted(account.mutedUntil);
  const bizData = {
    id: createHash('sha256').update(account.token).digest('hex').slice(0, 24),
    token: account.token,
    email: 'te****t@example.com',
    mobile_number: '183******78',
    area_code: '+86',
    status: 0,
    chat: { is_muted: muted ? 1 : 0, mute_until: muted ? account.mutedUntil : null },
  };
  const legacy = ctx.config.legacyTokenField ? { token: account.token } : {};
  sendJson(res, 200, { code: 0, msg: '', data: { ...legacy, biz_code: 0, biz_msg: '', biz_data: bizData } });
};

/** Muted accounts may read their settings; only `scope=model` has content in the fake. */
export const clientSettings: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  if (req.query.get('scope') !== 'model') return sendOk(res, {});
  sendOk(res, { model_configs: modelConfigs(ctx.config.unavailableModels) });
};

export const createSession: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  const session = ctx.store.createSession(account.token);
  const nested = ctx.config.sessionShape === 'nested';
  const record = {
    id: session.id,
    seq_id: session.seqId,
    agent: 'chat',
    model_type: nested ? 'default' : 'DEFAULT',
    title: null,
    title_type: 'WIP',
    version: 0,
    current_message_id: null,
    pinned: false,
    inserted_at: session.createdAt,
    updated_at: session.createdAt,
  };
  sendOk(res, nested ? { chat_session: record, ttl_seconds: 259200 } : record);
};

export const createPowChallenge: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  const targetPath = req.body.target_path;
  if (typeof targetPath !== 'string' || !POW_TARGET_PATHS.has(targetPath)) {
    sendBizError(res, 1, 'invalid target path');
    return;
  }
  const { powDifficulty, powExpireMs } = ctx.config;
  sendOk(res, { challenge: ctx.pow.issue(account.token, targetPath, powDifficulty, powExpireMs) });
};

export const stopStream: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  const session = ctx.store.ownedSession(req.body.chat_session_id, account.token);
  if (!session) return sendInvalidSession(res);
  const messageId = parseMessageId(req.body.message_id);
  const message = typeof messageId === 'number' ? ctx.store.responseMessage(session, messageId) : undefined;
  if (!message) return sendInvalidMessage(res);
  ctx.findGeneration(session.id, message.responseMessageId)?.stop();
  sendOk(res, null);
};

export const deleteSession: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  const ids = Array.isArray(req.body.chat_session_ids) ? req.body.chat_session_ids : [req.body.chat_session_id];
  ctx.store.deleteSessions(account.token, ids);
  sendOk(res, null);
};

export const deleteAllSessions: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  ctx.store.deleteAllSessions(account.token);
  sendOk(res, null);
};
