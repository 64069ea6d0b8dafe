import { Module } from '@nestjs/common';
import { appConfig, type AppConfig } from '../config/app.config';
import { DeepSeekModule } from '../deepseek/deepseek.module';
import { AttachmentResolver } from './attachment-resolver.service';
import { RemoteFetcher } from './fetch/remote-fetcher';
import { FileUploadService } from './file-uploads.service';

/** Images and files of requests: fetched (URLs), then uploaded to the answering account (docs/api.md). */
@Module({
  imports: [DeepSeekModule],
  providers: [
    AttachmentResolver,
    FileUploadService,
    {
      provide: RemoteFetcher,
      useFactory: ({ attachments }: AppConfig) =>
        new RemoteFetcher({
          allowPrivate: attachments.fetchAllowPrivate,
          maxBytes: attachments.maxFileBytes,
          timeoutMs: attachments.fetchTimeoutMs,
          maxRedirects: attachments.fetchMaxRedirects,
          allowedTypes: attachments.allowedTypes,
        }),
      inject: [appConfig.KEY],
    },
  ],
  exports: [AttachmentResolver, FileUploadService],
})
export class AttachmentsModule {}
