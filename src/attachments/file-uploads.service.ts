import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiError } from '../common/errors/api-error';
import { BoundedTtlMap } from '../common/collections/bounded-ttl-map';
import { abortableDelay } from '../common/lifecycle/abort';
import { appConfig, type AppConfig } from '../config/app.config';
import { DeepSeekClient, type UpstreamFile } from '../deepseek/deepseek.client';
import { UpstreamError } from '../deepseek/upstream-error';
import type { Account } from '../tokens/pool/account';
import type { ResolvedFile } from './resolved-file';

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 2_000;
const CACHE_ENTRIES = 10_000;

/**
 * Puts a request's files on the account that answers it (`file/upload_file`, then `file/fetch_files`
 * until DeepSeek has parsed them) and returns their ids for `ref_file_ids`. A file belongs to the account
 * it was uploaded to, so the same bytes are uploaded again on another account, and not again on the same
 * one within an hour. One upload at a time per request, as the web page does.
 */
@Injectable()
export class FileUploadService {
  private readonly logger = new Logger(FileUploadService.name);
  /** `<account id>:<sha256>` → a file id DeepSeek parsed. */
  private readonly uploaded: BoundedTtlMap<string, string>;

  constructor(
    private readonly deepseek: DeepSeekClient,
    @Inject(appConfig.KEY) private readonly config: Pick<AppConfig, 'attachments'>,
  ) {
    this.uploaded = new BoundedTtlMap(CACHE_ENTRIES, config.attachments.uploadCacheTtlMs);
  }

  /**
   * The files' ids on `account`, in order. Rejects with the UpstreamError of a refused upload (throttled,
   * muted…: the failover decides), a 400 when DeepSeek could not read a file, a timeout UpstreamError
   * when it takes too long to parse one.
   */
  async upload(account: Account, files: readonly ResolvedFile[], signal: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    const pending = new Map<string, ResolvedFile>();
    for (const file of files) {
      const cached = this.uploaded.get(cacheKey(account, file));
      if (cached) {
        ids.push(cached);
        continue;
      }
      const upstream = await this.deepseek.uploadFile(account.token, file, signal);
      ids.push(upstream.id);
      if (upstream.status === 'SUCCESS') this.uploaded.set(cacheKey(account, file), upstream.id);
      else {
        failIfUnreadable(upstream, file);
        pending.set(upstream.id, file);
      }
    }
    if (pending.size > 0) await this.untilParsed(account, pending, signal);
    this.logger.debug(`account ${account.id}: ${files.length} file(s) attached`);
    return ids;
  }

  /** DeepSeek no longer knows these files on `account` (deleted, expired): the next upload sends them again. */
  forget(account: Account, files: readonly ResolvedFile[]): void {
    for (const file of files) this.uploaded.delete(cacheKey(account, file));
  }

  private async untilParsed(account: Account, pending: Map<string, ResolvedFile>, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.config.attachments.uploadTimeoutMs;
    for (let wait = FIRST_POLL_MS; pending.size > 0; wait = Math.min(wait * 2, MAX_POLL_MS)) {
      if (Date.now() + wait > deadline) {
        throw new UpstreamError('timeout', `file/fetch_files: ${pending.size} file(s) still not parsed`, {
          endpoint: 'file/fetch_files',
        });
      }
      await abortableDelay(wait, signal);
      for (const upstream of await this.deepseek.fetchFiles(account.token, [...pending.keys()], signal)) {
        const file = pending.get(upstream.id);
        if (!file) continue;
        failIfUnreadable(upstream, file);
        if (upstream.status === 'SUCCESS') {
          pending.delete(upstream.id);
          this.uploaded.set(cacheKey(account, file), upstream.id);
        }
      }
    }
  }
}

const cacheKey = (account: Account, file: ResolvedFile): string => `${account.id}:${file.sha256}`;

function failIfUnreadable(upstream: UpstreamFile, file: ResolvedFile): void {
  if (upstream.status !== 'FAILED') return;
  const reason = upstream.errorCode ? ` (${upstream.errorCode})` : '';
  throw ApiError.badRequest(
    `DeepSeek could not read the attachment at '${file.path}'${reason}.`,
    file.path,
    'attachment_unreadable',
  );
}
