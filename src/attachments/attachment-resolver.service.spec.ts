import { createHash } from 'node:crypto';
import { startLocalServer, type LocalServer } from '../../test/utils/attachments/local-server';
import { ApiError } from '../common/errors/api-error';
import { appConfig } from '../config/app.config';
import type { Attachment } from './attachment';
import { AttachmentResolver } from './attachment-resolver.service';
import { RemoteFetcher } from './fetch/remote-fetcher';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(600, 7)]);
const bytes = (data: Buffer, mediaType: string | null, fileName: string | null = null): Attachment => ({
  path: 'messages[0].content[0]',
  kind: 'file',
  source: { type: 'bytes', data, mediaType },
  fileName,
});
const url = (href: string): Attachment => ({
  path: 'messages[0].content[1]',
  kind: 'image',
  source: { type: 'url', url: href },
  fileName: null,
});

describe('AttachmentResolver', () => {
  let server: LocalServer;
  const signal = new AbortController().signal;
  const resolver = (maxTotalBytes = 1_000_000, allowedTypes = appConfig().attachments.allowedTypes) => {
    const attachments = { ...appConfig().attachments, maxTotalBytes, allowedTypes };
    const fetcher = new RemoteFetcher({
      ...attachments,
      allowPrivate: true,
      maxBytes: 10_000,
      timeoutMs: 2_000,
      maxRedirects: 0,
    });
    return new AttachmentResolver(fetcher, { attachments });
  };

  beforeAll(async () => {
    server = await startLocalServer('127.0.0.1', (_, response) => {
      response.writeHead(200, { 'content-type': 'image/png' });
      response.end(PNG);
    });
  });
  afterAll(() => server.close());

  it('should fetch URLs, name files and hash their bytes', async () => {
    const files = await resolver().resolve(
      [
        bytes(Buffer.from('# notes'), 'text/markdown'),
        url(server.url('/photos/cat.png')),
        bytes(PNG, 'image/png', 'Q3 chart'),
      ],
      signal,
    );

    expect(files.map(({ fileName, contentType, sha256 }) => ({ fileName, contentType, sha256 }))).toEqual([
      {
        fileName: 'attachment-1.md',
        contentType: 'text/markdown',
        sha256: createHash('sha256').update('# notes').digest('hex'),
      },
      { fileName: 'cat.png', contentType: 'image/png', sha256: createHash('sha256').update(PNG).digest('hex') },
      { fileName: 'Q3 chart.png', contentType: 'image/png', sha256: createHash('sha256').update(PNG).digest('hex') },
    ]);
  });

  it('should refuse a request whose files pass the total only once a URL is fetched, naming that part', async () => {
    const failure = await resolver(700)
      .resolve([bytes(Buffer.alloc(200, 1), 'text/plain'), url(server.url('/cat.png'))], signal)
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 400, code: 'attachments_too_large', param: 'messages[0].content[1]' });
  });

  it('should refuse a type the operator did not allow, and a URL the fetcher refuses, as 400s naming the part', async () => {
    const notAllowed = await resolver(1_000_000, ['text/*'])
      .resolve([bytes(PNG, 'image/png')], signal)
      .catch((error: unknown) => error);
    expect(notAllowed).toMatchObject({
      status: 400,
      code: 'unsupported_attachment_type',
      param: 'messages[0].content[0]',
    });

    const missing = await resolver()
      .resolve([url('http://127.0.0.1:1/nothing.png')], signal)
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 400, param: 'messages[0].content[1]' });
    expect((missing as ApiError).code).toMatch(/^attachment_/);
  });
});
