import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FileRecord } from './store';
import type { FileConfig, FileOutcome, FileStatus, FileView, ModelKind } from './types';

export const UPLOAD_PATH = '/api/v0/file/upload_file';

/** Room for the multipart framing around the `file` part when reading an upload. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** Reads at most `limit` bytes of a body and drains the rest; `truncated` when there was more. */
export function readBodyUpTo(req: IncomingMessage, limit: number): Promise<{ body: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    req.on('data', (chunk: Buffer) => {
      if (truncated) return;
      if (size + chunk.length > limit) {
        truncated = true;
        chunks.length = 0;
        return;
      }
      size += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: truncated ? Buffer.alloc(0) : Buffer.concat(chunks), truncated }));
    req.on('error', reject);
  });
}

/** How many bytes of an upload body the fake reads before calling it too large. */
export const uploadReadLimit = (config: FileConfig): number => config.maxBytes + MULTIPART_OVERHEAD;

export interface MultipartPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

/** A minimal multipart/form-data parser (RFC 7578): the parts, or why the body is not one. */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] | string {
  const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
  if (!match) return 'not multipart/form-data with a boundary';
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  let start = body.indexOf(delimiter);
  if (start < 0) return 'no boundary in the body';
  const parts: MultipartPart[] = [];
  for (;;) {
    let cursor = start + delimiter.length;
    if (body.subarray(cursor, cursor + 2).toString() === '--') return parts;
    if (body.subarray(cursor, cursor + 2).toString() !== '\r\n') return 'malformed boundary line';
    cursor += 2;
    const headerEnd = body.indexOf('\r\n\r\n', cursor);
    if (headerEnd < 0) return 'part headers not terminated';
    const headers = parsePartHeaders(body.subarray(cursor, headerEnd).toString('utf8'));
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), dataStart);
    if (next < 0) return 'closing boundary missing';
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (!/^form-data\b/i.test(disposition) || name === null) return 'part without form-data name';
    parts.push({
      name,
      filename: dispositionFilename(disposition),
      contentType: headers.get('content-type') ?? null,
      data: body.subarray(dataStart, next),
    });
    start = next + 2;
  }
}

function parsePartHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function dispositionParam(disposition: string, key: string): string | null {
  const match = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(disposition);
  if (!match) return null;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
}

/** `filename*=UTF-8''…` (RFC 5987) wins over `filename="…"` (browsers send raw UTF-8 there). */
function dispositionFilename(disposition: string): string | null {
  const extended = /;\s*filename\*=([^']*)'[^']*'([^;\s]+)/i.exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[2]);
    } catch {
      // fall back to the plain parameter
    }
  }
  return dispositionParam(disposition, 'filename');
}

/** By content type, or by magic bytes (PNG, JPEG, GIF, WebP, BMP). */
export function looksLikeImage(contentType: string, data: Buffer): boolean {
  if (/^image\//i.test(contentType)) return true;
  const head = data.subarray(0, 12);
  return (
    head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    head.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff])) ||
    head.subarray(0, 4).toString('latin1') === 'GIF8' ||
    (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') ||
    head.subarray(0, 2).toString('latin1') === 'BM'
  );
}

export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

export interface NewFile {
  account: string;
  fileName: string;
  contentType: string;
  data: Buffer;
  modelKind: ModelKind;
  outcome: FileOutcome;
  errorCode: string;
  config: FileConfig;
}

/** A new PENDING record (or already at its outcome when `config.immediate`). */
export function newFileRecord(file: NewFile): FileRecord {
  const now = Date.now();
  const { config } = file;
  const record: FileRecord = {
    id: `file-${randomUUID()}`,
    account: file.account,
    fileName: file.fileName,
    contentType: file.contentType,
    size: file.data.length,
    sha256: createHash('sha256').update(file.data).digest('hex'),
    isImage: looksLikeImage(file.contentType, file.data),
    modelKind: file.modelKind,
    status: config.immediate ? file.outcome : 'PENDING',
    polls: 0,
    plan: {
      outcome: file.outcome,
      errorCode: file.errorCode,
      pollsToParsing: config.pollsToParsing,
      pollsToDone: config.pollsToDone,
      parseDelayMs: config.parseDelayMs,
    },
    tokenUsage: fileTokenUsage(file.data.length),
    forkedFrom: null,
    uploadedAtMs: now,
    insertedAt: now / 1000,
    updatedAt: now / 1000,
  };
  return record;
}

/** A copy re-targeted at the vision model, starting over as PENDING by the current config (fork_file_task). */
export function forkedFileRecord(source: FileRecord, config: FileConfig): FileRecord {
  const now = Date.now();
  return {
    ...source,
    id: `file-${randomUUID()}`,
    modelKind: 'VISION',
    status: config.immediate ? config.outcome : 'PENDING',
    polls: 0,
    plan: {
      outcome: config.outcome,
      errorCode: config.errorCode,
      pollsToParsing: config.pollsToParsing,
      pollsToDone: config.pollsToDone,
      parseDelayMs: config.parseDelayMs,
    },
    forkedFrom: source.id,
    uploadedAtMs: now,
    insertedAt: now / 1000,
    updatedAt: now / 1000,
  };
}

/** Deterministic: a quarter of the bytes, at least 1. */
export const fileTokenUsage = (bytes: number): number => Math.max(1, Math.ceil(bytes / 4));

/** Brings `status` up to date (time rule); `poll` counts one fetch_files that lists the file. */
export function refreshFile(file: FileRecord, poll = false): FileStatus {
  if (file.status === 'SUCCESS' || file.status === 'FAILED') return file.status;
  if (poll) file.polls++;
  const { plan } = file;
  const done =
    plan.parseDelayMs === null ? file.polls >= plan.pollsToDone : Date.now() - file.uploadedAtMs >= plan.parseDelayMs;
  const next: FileStatus = done ? plan.outcome : file.polls >= plan.pollsToParsing ? 'PARSING' : 'PENDING';
  if (next !== file.status) {
    file.status = next;
    file.updatedAt = Date.now() / 1000;
  }
  return next;
}

/** `biz_data` of upload_file and fork_file_task. */
export function uploadReply(file: FileRecord) {
  return {
    id: file.id,
    status: file.status,
    file_name: file.fileName,
    from_share: false,
    file_size: file.size,
    model_kind: file.modelKind,
    token_usage: file.status === 'SUCCESS' ? file.tokenUsage : null,
    error_code: file.status === 'FAILED' ? file.plan.errorCode : null,
    inserted_at: file.insertedAt,
    updated_at: file.updatedAt,
    is_image: file.isImage,
    audit_result: null,
  };
}

/** One entry of fetch_files' `biz_data.files`. */
export function fetchedFile(file: FileRecord) {
  return {
    id: file.id,
    status: file.status,
    file_name: file.fileName,
    file_size: file.size,
    token_usage: file.status === 'SUCCESS' ? file.tokenUsage : null,
    error_code: file.status === 'FAILED' ? file.plan.errorCode : null,
    inserted_at: file.insertedAt,
    updated_at: file.updatedAt,
  };
}

export function fileView(file: FileRecord): FileView {
  refreshFile(file);
  return {
    id: file.id,
    account: file.account,
    fileName: file.fileName,
    size: file.size,
    sha256: file.sha256,
    contentType: file.contentType,
    isImage: file.isImage,
    modelKind: file.modelKind,
    status: file.status,
    polls: file.polls,
    tokenUsage: file.status === 'SUCCESS' ? file.tokenUsage : null,
    errorCode: file.status === 'FAILED' ? file.plan.errorCode : null,
    forkedFrom: file.forkedFrom,
    insertedAt: file.insertedAt,
    updatedAt: file.updatedAt,
  };
}
