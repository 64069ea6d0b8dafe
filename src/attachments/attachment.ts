/** Where an attachment's bytes are: sent with the request (base64), or at a URL the server fetches. */
export type AttachmentSource = { type: 'bytes'; data: Buffer; mediaType: string | null } | { type: 'url'; url: string };

/**
 * An image or file a client attached to a message (OpenAI `image_url` / `file` parts, Anthropic `image`
 * / `document` blocks, Responses `input_image` / `input_file`). It reaches DeepSeek as an uploaded file
 * on the account that answers (`ref_file_ids`).
 */
export interface Attachment {
  /** Where it was in the request, for error messages: `messages[1].content[2]`. */
  path: string;
  kind: 'image' | 'file';
  source: AttachmentSource;
  /** The client's file name, when it gave one. */
  fileName: string | null;
}

/** What a request may attach (ATTACHMENT_* settings); each violation is a 400 naming the part. */
export interface AttachmentLimits {
  maxCount: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** Media types (`image/png`) or families (`image/*`) accepted. */
  allowedTypes: readonly string[];
}

/** Whether `mediaType` (parameters dropped, lower case) is one of `allowed` (`type/*` matches a family). */
export function isAllowedType(mediaType: string, allowed: readonly string[]): boolean {
  const type = mediaType.split(';')[0].trim().toLowerCase();
  return allowed.some((entry) => entry === type || (entry.endsWith('/*') && type.startsWith(entry.slice(0, -1))));
}
