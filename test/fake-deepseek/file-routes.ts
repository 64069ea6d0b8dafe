import type { ServerResponse } from 'node:http';
import { authorize, type ApiRequest, type FakeContext, type RouteHandler } from './context';
import { stringParam } from './faults';
import {
  extensionOf,
  fetchedFile,
  forkedFileRecord,
  newFileRecord,
  parseMultipart,
  refreshFile,
  UPLOAD_PATH,
  uploadReply,
} from './files';
import { sendBizError, sendCodeError, sendJson, sendOk, sendUnprocessable } from './http-responses';
import type { FileRecord } from './store';
import type { ReplyFile } from './types';

export const RATE_LIMIT_MESSAGE = 'rate limit reached';

/**
 * `POST /api/v0/file/upload_file`: token, mute, PoW (upload target path), upload faults, size, multipart
 * `file` part, `x-file-size`, extension; then a PENDING file (or its outcome when `files.immediate`).
 */
export const uploadFile: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res, true);
  if (!account || !checkUploadPow(ctx, req, res, account.token)) return;
  const throttled = ctx.faults.take(account.token, 'upload_file', 'upload', 'upload_rate_limit');
  if (throttled) {
    if (throttled.params.form === 'code') return sendCodeError(res, 7, RATE_LIMIT_MESSAGE);
    return sendBizError(res, 7, RATE_LIMIT_MESSAGE);
  }
  const { files } = ctx.config;
  if (req.upload?.truncated) return sendBizError(res, 9, 'file too large');
  const parts = parseMultipart(req.upload?.body ?? Buffer.alloc(0), header(req, 'content-type'));
  const part = typeof parts === 'string' ? undefined : parts.find((p) => p.name === 'file' && p.filename !== null);
  if (!part) return sendUnprocessable(res, 'file', 'field required');
  if (part.data.length > files.maxBytes) return sendBizError(res, 9, 'file too large');
  const declared = header(req, 'x-file-size');
  if (declared !== undefined && declared.trim() !== String(part.data.length)) {
    return sendBizError(res, 1, 'file size mismatch');
  }
  const fileName = part.filename ?? '';
  if (files.unsupportedExtensions.map((e) => e.toLowerCase()).includes(extensionOf(fileName))) {
    return sendBizError(res, 9, 'unsupported file type');
  }
  const failed = ctx.faults.take(account.token, 'upload_file', 'upload', 'file_failed');
  const visionAsked = header(req, 'x-model-type') === 'vision' && !ctx.config.unavailableModels.includes('vision');
  const file = newFileRecord({
    account: account.token,
    fileName,
    contentType: part.contentType ?? 'application/octet-stream',
    data: part.data,
    modelKind: visionAsked ? 'VISION' : 'NORMAL',
    outcome: failed ? 'FAILED' : files.outcome,
    errorCode: failed ? stringParam(failed, 'error_code', files.errorCode) : files.errorCode,
    config: files,
  });
  ctx.store.files.set(file.id, file);
  sendOk(res, uploadReply(file));
};

/** `GET /api/v0/file/fetch_files?file_ids=a,b`: the caller's files among those ids; each listing is one poll. */
export const fetchFiles: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  const ids = req.query.get('file_ids');
  if (ids === null) {
    return sendJson(res, 422, {
      detail: [{ loc: ['query', 'file_ids'], msg: 'field required', type: 'value_error.missing' }],
    });
  }
  const listed = new Set<string>();
  const files: ReturnType<typeof fetchedFile>[] = [];
  for (const id of ids.split(',').map((s) => s.trim())) {
    const file = ctx.store.files.get(id);
    if (!file || file.account !== account.token || listed.has(id)) continue;
    listed.add(id);
    refreshFile(file, true);
    files.push(fetchedFile(file));
  }
  sendOk(res, { files });
};

/** `POST /api/v0/file/fork_file_task {file_id, to_model_type: "vision"}`: a new VISION file copying the bytes. */
export const forkFileTask: RouteHandler = (ctx, req, res) => {
  const account = authorize(ctx, req, res);
  if (!account) return;
  const { file_id: fileId, to_model_type: toModelType } = req.body;
  if (typeof fileId !== 'string') return sendUnprocessable(res, 'file_id', 'field required');
  if (typeof toModelType !== 'string') return sendUnprocessable(res, 'to_model_type', 'field required');
  const source = ctx.store.files.get(fileId);
  if (!source || source.account !== account.token) return sendBizError(res, 9, 'invalid file id');
  if (toModelType !== 'vision' || ctx.config.unavailableModels.includes('vision')) {
    return sendBizError(res, 1, 'model type not available');
  }
  const fork = forkedFileRecord(source, ctx.config.files);
  ctx.store.files.set(fork.id, fork);
  sendOk(res, uploadReply(fork));
};

/** The referenced files when every id is the account's own and SUCCESS; null otherwise (biz_code 9). */
export function referencedFiles(ctx: FakeContext, account: string, ids: unknown): ReplyFile[] | null {
  if (!Array.isArray(ids)) return [];
  const files: ReplyFile[] = [];
  for (const id of ids) {
    const file: FileRecord | undefined = typeof id === 'string' ? ctx.store.files.get(id) : undefined;
    if (!file || file.account !== account || refreshFile(file) !== 'SUCCESS') return null;
    const { contentType, size, isImage } = file;
    files.push({ id: file.id, fileName: file.fileName, contentType, size, isImage });
  }
  return files;
}

function checkUploadPow(ctx: FakeContext, req: ApiRequest, res: ServerResponse, account: string): boolean {
  if (!ctx.config.verifyPow) return true;
  const check = ctx.pow.verify(header(req, 'x-ds-pow-response'), { account, targetPath: UPLOAD_PATH, strict: true });
  if (check.ok) return true;
  ctx.store.powRejections.push({ endpoint: req.endpoint, account, reason: check.reason, at: Date.now() });
  sendCodeError(res, check.code, check.code === 40300 ? 'MISSING_HEADER' : 'INVALID_POW_RESPONSE');
  return false;
}

function header(req: ApiRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}
