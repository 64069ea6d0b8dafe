import { ApiError } from '../../common/errors/api-error';
import { quote } from '../../common/http/json-checks';
import type { TextPart } from './chat-completion-request';
import { type Attachment, type AttachmentLimits, isAllowedType } from '../../attachments/attachment';

/**
 * Image and file parts of every API → `Attachment`s, with the ATTACHMENT_* limits checked as they are
 * read: each violation is a 400 naming the part (or, for malformed data, the field).
 */

/** The limits of one request and what its attachments have used so far; one per parsed request. */
export class AttachmentBudget {
  count = 0;
  totalBytes = 0;

  constructor(readonly limits: AttachmentLimits) {}
}

/** Where a part is and what it attaches: `path` names the part (`messages[1].content[2]`), `field` its data. */
export interface AttachmentPlace {
  path: string;
  field: string;
  kind: Attachment['kind'];
  fileName: string | null;
}

/** An accepted attachment and the text that stands where it was in the message. */
export interface AcceptedAttachment {
  attachment: Attachment;
  marker: TextPart;
}

/**
 * The text the prompt shows where attachment `n` (1-based, counted over the whole request) was. The
 * client's file name is kept to one line without brackets, so it cannot end the marker or start a turn.
 */
export function attachmentMarker(n: number, attachment: Attachment): string {
  const name = attachment.fileName?.replace(/[\p{Cc}[\]]+/gu, ' ').trim() || attachment.kind;
  return `[attachment ${n}: ${name}]`;
}

/** A URL part: `http(s)` is fetched later, server-side (its size and type are checked then); `data:` is read now. */
export function fromUrl(budget: AttachmentBudget, url: string, place: AttachmentPlace): AcceptedAttachment {
  if (/^data:/i.test(url)) return fromDataUrl(budget, url, place);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw invalidAttachment(place.field, `${quote(url)} is not a URL. Expected an http(s) or data: URL.`);
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw invalidAttachment(
      place.field,
      `URL scheme ${quote(protocol)} is not supported. Expected an http(s) or data: URL.`,
    );
  }
  checkCount(budget, place.path);
  return accept(budget, { path: place.path, kind: place.kind, source: { type: 'url', url }, fileName: place.fileName });
}

/** `data:<media type>[;base64],<data>`: base64 for binary, percent-encoded text otherwise; the media type is required. */
export function fromDataUrl(budget: AttachmentBudget, url: string, place: AttachmentPlace): AcceptedAttachment {
  const comma = url.indexOf(',');
  const header = comma < 0 ? '' : url.slice('data:'.length, comma);
  const params = header.split(';');
  const isBase64 = params.length > 1 && params.at(-1)?.toLowerCase() === 'base64';
  const mediaType = (isBase64 ? params.slice(0, -1) : params).join(';').trim();
  if (comma < 0 || !mediaType) {
    throw invalidAttachment(place.field, 'Expected a data URL with a media type: data:<media type>;base64,<data>.');
  }
  const data = url.slice(comma + 1);
  if (isBase64) return fromBase64(budget, data, mediaType, place);
  checkCount(budget, place.path);
  checkType(budget, mediaType, place.path);
  let text: string;
  try {
    text = decodeURIComponent(data);
  } catch {
    throw invalidAttachment(place.field, 'The data URL is not validly percent-encoded.');
  }
  return acceptBytes(budget, Buffer.from(text, 'utf8'), mediaType, place);
}

/**
 * A `file_data` field: a data URL, or bare base64 whose media type the file name's extension tells
 * (no name or an unknown extension: a 400 asking for a data URL).
 */
export function fromFileData(budget: AttachmentBudget, data: string, place: AttachmentPlace): AcceptedAttachment {
  if (/^data:/i.test(data)) return fromDataUrl(budget, data, place);
  const extension = /\.([a-z0-9]+)$/i.exec(place.fileName ?? '')?.[1].toLowerCase();
  const mediaType = extension ? MEDIA_TYPES_BY_EXTENSION[extension] : undefined;
  if (!mediaType) {
    throw invalidAttachment(
      place.field,
      'Bare base64 needs a file name with a known extension (.pdf, .png…) to tell its type; send a data URL (data:<media type>;base64,<data>) instead.',
    );
  }
  return fromBase64(budget, data, mediaType, place);
}

const MEDIA_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/** Base64 data with its media type (Anthropic `source.data`, OpenAI `file_data`). */
export function fromBase64(
  budget: AttachmentBudget,
  data: string,
  mediaType: string,
  place: AttachmentPlace,
): AcceptedAttachment {
  checkCount(budget, place.path);
  checkType(budget, mediaType, place.path);
  // Refused before decoding, so a huge string allocates no buffer (whitespace, rare, is counted out only then).
  let compact = data;
  if (decodedLength(data) > budget.limits.maxFileBytes) compact = data.replace(/\s+/g, '');
  checkFileSize(budget, decodedLength(compact), place.path);
  compact = compact.replace(/\s+/g, '');
  if (compact.length % 4 === 1 || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) {
    throw invalidAttachment(place.field, 'The data is not valid base64.');
  }
  return acceptBytes(budget, Buffer.from(compact, 'base64'), mediaType, place);
}

/** The bytes base64 text decodes to, from its length: 3 per 4 characters, less the padding. */
function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function acceptBytes(
  budget: AttachmentBudget,
  data: Buffer,
  mediaType: string,
  place: AttachmentPlace,
): AcceptedAttachment {
  if (data.length === 0) throw invalidAttachment(place.field, 'The file is empty.');
  checkFileSize(budget, data.length, place.path);
  const total = budget.totalBytes + data.length;
  const { maxTotalBytes } = budget.limits;
  if (total > maxTotalBytes) {
    throw ApiError.badRequest(
      `Attachments are ${formatSize(total)} with the one at '${place.path}'; at most ${formatSize(maxTotalBytes)} per request (ATTACHMENT_MAX_TOTAL_BYTES).`,
      place.path,
      'attachments_too_large',
    );
  }
  budget.totalBytes = total;
  return accept(budget, {
    path: place.path,
    kind: place.kind,
    source: { type: 'bytes', data, mediaType },
    fileName: place.fileName,
  });
}

function accept(budget: AttachmentBudget, attachment: Attachment): AcceptedAttachment {
  budget.count++;
  return { attachment, marker: { type: 'text', text: attachmentMarker(budget.count, attachment) } };
}

function checkCount(budget: AttachmentBudget, path: string): void {
  const { maxCount } = budget.limits;
  if (budget.count >= maxCount) {
    throw ApiError.badRequest(
      `Too many attachments at '${path}': at most ${maxCount} per request (ATTACHMENT_MAX_COUNT).`,
      path,
      'too_many_attachments',
    );
  }
}

function checkType(budget: AttachmentBudget, mediaType: string, path: string): void {
  const { allowedTypes } = budget.limits;
  if (!isAllowedType(mediaType, allowedTypes)) {
    throw ApiError.badRequest(
      `Attachment at '${path}': type ${quote(mediaType)} is not accepted; accepted: ${allowedTypes.join(', ')} (ATTACHMENT_TYPES).`,
      path,
      'unsupported_attachment_type',
    );
  }
}

function checkFileSize(budget: AttachmentBudget, bytes: number, path: string): void {
  const { maxFileBytes } = budget.limits;
  if (bytes > maxFileBytes) {
    throw ApiError.badRequest(
      `Attachment at '${path}' is ${formatSize(bytes)}; at most ${formatSize(maxFileBytes)} per file (ATTACHMENT_MAX_BYTES).`,
      path,
      'attachment_too_large',
    );
  }
}

function invalidAttachment(field: string, reason: string): ApiError {
  return ApiError.badRequest(`Invalid attachment at '${field}': ${reason}`, field, 'invalid_attachment');
}

/** `12.3 MB`, `10 MB`, `512 KB`, `7 bytes`: one decimal, none when whole. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KB'] : [bytes / (1024 * 1024), 'MB'];
  return `${Math.round(value * 10) / 10} ${unit}`;
}

/** `file_id` (OpenAI Files API) or `source.type: 'file'` (Anthropic Files API): ids we have no way to resolve. */
export function unsupportedFileId(field: string): ApiError {
  return ApiError.badRequest(
    `Unsupported '${field}': uploaded-file ids cannot be resolved here. Send the file's data inline (base64 or a data: URL) or an http(s) URL instead.`,
    field,
    'unsupported_file_id',
  );
}
