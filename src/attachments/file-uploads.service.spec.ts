import { createHash } from 'node:crypto';
import { ALICE, BOB, useClientRig } from '../../test/utils/deepseek/client-kit';
import { ApiError } from '../common/errors/api-error';
import { appConfig } from '../config/app.config';
import { UpstreamError } from '../deepseek/upstream-error';
import { createAccount } from '../tokens/pool/account';
import { FileUploadService } from './file-uploads.service';
import type { ResolvedFile } from './resolved-file';

jest.setTimeout(30_000);

const fileOf = (text: string, fileName = 'notes.txt'): ResolvedFile => {
  const bytes = Buffer.from(text);
  return {
    path: 'messages[0].content[1]',
    fileName,
    contentType: 'text/plain',
    bytes,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
};
const [alice, bob] = [createAccount(ALICE), createAccount(BOB)];

describe('FileUploadService against the fake DeepSeek', () => {
  const rig = useClientRig({ accounts: [ALICE, BOB] });
  const uploads = (uploadTimeoutMs = 10_000) => {
    const config = appConfig();
    return new FileUploadService(rig.client, { attachments: { ...config.attachments, uploadTimeoutMs } });
  };
  const signal = () => new AbortController().signal;

  it("should upload each file with the upload's own proof of work and wait until DeepSeek parsed it", async () => {
    const files = [fileOf('first'), fileOf('second', 'b.txt')];
    const ids = await uploads().upload(alice, files, signal());

    const state = rig.fake.state();
    expect(ids.map((id) => state.files[id])).toMatchObject([
      { account: ALICE, fileName: 'notes.txt', size: 5, status: 'SUCCESS' },
      { account: ALICE, fileName: 'b.txt', size: 6, status: 'SUCCESS' },
    ]);
    expect(state.requests.upload_file).toBe(2);
    expect(state.lastHeaders.upload_file?.['x-file-size']).toBe('6');
  });

  it('should not upload the same bytes twice to one account, and upload them again to another', async () => {
    const service = uploads();
    const [first] = await service.upload(alice, [fileOf('same bytes')], signal());
    const [again] = await service.upload(alice, [fileOf('same bytes', 'renamed.txt')], signal());
    const [onBob] = await service.upload(bob, [fileOf('same bytes')], signal());

    expect(again).toBe(first);
    expect(onBob).not.toBe(first);
    expect(rig.fake.state().files[onBob].account).toBe(BOB);
    expect(rig.fake.state().requests.upload_file).toBe(2);
  });

  it('should refuse a file DeepSeek could not read with a 400 naming the part', async () => {
    rig.fake.addFault({ fault: 'file_failed', params: { error_code: 'UNREADABLE' } });
    const failure = await uploads()
      .upload(alice, [fileOf('broken')], signal())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 400, code: 'attachment_unreadable', param: 'messages[0].content[1]' });
    expect((failure as Error).message).toMatch(/could not read.*UNREADABLE/);
  });

  it('should report a throttled upload as the account being throttled (the failover moves on)', async () => {
    rig.fake.addFault({ fault: 'upload_rate_limit', account: ALICE });
    const failure = await uploads()
      .upload(alice, [fileOf('too many')], signal())
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).kind).toBe('throttled');
  });

  it('should give up with a timeout when DeepSeek takes too long to parse', async () => {
    rig.fake.configure({ files: { pollsToParsing: 50, pollsToDone: 100 } });
    const failure = await uploads(600)
      .upload(alice, [fileOf('slow')], signal())
      .catch((error: unknown) => error);

    expect((failure as UpstreamError).kind).toBe('timeout');
  });
});
