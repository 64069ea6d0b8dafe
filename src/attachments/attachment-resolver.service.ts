import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { appConfig, type AppConfig } from '../config/app.config';
import { type Attachment, isAllowedType } from './attachment';
import { RemoteFetcher } from './fetch/remote-fetcher';
import { RemoteFetchError, remoteFetchApiError } from './fetch/remote-fetch-error';
import type { ResolvedFile } from './resolved-file';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/markdown': 'md',
  'text/csv': 'csv',
  'application/json': 'json',
};

/**
 * A request's attachments as files to upload, before any account is leased (a slow URL must not hold
 * one): URLs fetched, names and types settled, the total checked (the parser checked what it could see).
 */
@Injectable()
export class AttachmentResolver {
  constructor(
    private readonly fetcher: RemoteFetcher,
    @Inject(appConfig.KEY) private readonly config: Pick<AppConfig, 'attachments'>,
  ) {}

  async resolve(attachments: readonly Attachment[], signal: AbortSignal): Promise<ResolvedFile[]> {
    const { maxTotalBytes, allowedTypes } = this.config.attachments;
    const files: ResolvedFile[] = [];
    let total = 0;
    for (const [i, attachment] of attachments.entries()) {
      const { source, path } = attachment;
      const fetched =
        source.type === 'url'
          ? await this.fetch(source.url, path, signal)
          : { bytes: source.data, contentType: source.mediaType ?? 'application/octet-stream', fileName: null };
      const contentType = fetched.contentType.split(';')[0].trim().toLowerCase();
      if (!isAllowedType(contentType, allowedTypes)) {
        throw ApiError.badRequest(
          `The attachment at '${path}' is of type '${contentType}', which is not accepted (ATTACHMENT_TYPES: ${allowedTypes.join(', ')}).`,
          path,
          'unsupported_attachment_type',
        );
      }
      total += fetched.bytes.length;
      if (total > maxTotalBytes) {
        throw ApiError.badRequest(
          `The attachments add up to more than ${maxTotalBytes} bytes at '${path}' (ATTACHMENT_MAX_TOTAL_BYTES).`,
          path,
          'attachments_too_large',
        );
      }
      const fileName = withExtension(attachment.fileName ?? fetched.fileName ?? `attachment-${i + 1}`, contentType);
      const sha256 = createHash('sha256').update(fetched.bytes).digest('hex');
      files.push({ path, fileName, contentType, bytes: fetched.bytes, sha256 });
    }
    return files;
  }

  private async fetch(url: string, path: string, signal: AbortSignal) {
    try {
      return await this.fetcher.fetch(url, signal);
    } catch (error) {
      if (error instanceof RemoteFetchError) throw remoteFetchApiError(error, path);
      throw error;
    }
  }
}

/** DeepSeek reads a file by its extension too: a name without one (an Anthropic document's title) gets its type's. */
function withExtension(name: string, contentType: string): string {
  return /\.[a-z0-9]{1,5}$/i.test(name) ? name : `${name}.${EXTENSIONS[contentType] ?? 'bin'}`;
}
