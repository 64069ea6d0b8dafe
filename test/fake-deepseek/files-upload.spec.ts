import { createHash } from 'node:crypto';
import { rawRequest } from '../utils/http/raw-request';
import { looksLikeImage, parseMultipart } from './files';
import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { biz, FakeClient, multipartBody, powHeader, solvePow } from './spec-helpers';

const UPLOAD = '/api/v0/file/upload_file';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(24, 1)]);
const TEXT = 'line one\nline two\n';

describe('fake DeepSeek: file upload', () => {
  let fake: FakeDeepSeek;
  let alice: FakeClient;
  let bob: FakeClient;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a', 'tok-b'], powDifficulty: 1000 });
    alice = new FakeClient(fake.url, 'tok-a');
    bob = new FakeClient(fake.url, 'tok-b');
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  describe('multipart parsing', () => {
    it('should read the file part with its filename and content type, quoted boundary too', () => {
      const form = multipartBody(
        [
          { name: 'note', data: 'hi' },
          { name: 'file', filename: 'a b.txt', contentType: 'text/plain', data: 'x\r\ny' },
        ],
        'b0und',
      );
      const parts = parseMultipart(form.body, 'multipart/form-data; boundary="b0und"');
      expect(parts).toEqual([
        { name: 'note', filename: null, contentType: null, data: Buffer.from('hi') },
        { name: 'file', filename: 'a b.txt', contentType: 'text/plain', data: Buffer.from('x\r\ny') },
      ]);
    });

    it("should prefer filename*=UTF-8'' and keep raw UTF-8 names", () => {
      const ext = Buffer.from(
        '--B\r\nContent-Disposition: form-data; name="file"; filename="x.txt"; filename*=UTF-8\'\'%E6%96%87.txt\r\n\r\nz\r\n--B--\r\n',
      );
      expect(parseMultipart(ext, 'multipart/form-data; boundary=B')).toMatchObject([{ filename: '文.txt' }]);
      const raw = multipartBody([{ name: 'file', filename: '报告.pdf', data: 'z' }], 'B');
      expect(parseMultipart(raw.body, 'multipart/form-data; boundary=B')).toMatchObject([{ filename: '报告.pdf' }]);
    });

    it('should say why a body is not multipart', () => {
      expect(parseMultipart(Buffer.from('{}'), 'application/json')).toBe('not multipart/form-data with a boundary');
      expect(
        parseMultipart(
          Buffer.from('--B\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'),
          'multipart/form-data; boundary=B',
        ),
      ).toBe('closing boundary missing');
    });

    it('should tell images by content type or magic bytes', () => {
      expect(looksLikeImage('image/webp', Buffer.alloc(0))).toBe(true);
      expect(looksLikeImage('application/octet-stream', PNG)).toBe(true);
      expect(looksLikeImage('application/octet-stream', Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
      expect(looksLikeImage('text/plain', Buffer.from(TEXT))).toBe(false);
    });
  });

  it('should answer an upload in the real shape, PENDING, and record the bytes', async () => {
    const before = Date.now() / 1000;
    const res = await alice.upload({ filename: 'notes.txt', contentType: 'text/plain', data: TEXT });

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toMatchObject(biz(0, '', {}));
    const file = res.json.data.biz_data;
    expect(Object.keys(file)).toEqual([
      'id',
      'status',
      'file_name',
      'from_share',
      'file_size',
      'model_kind',
      'token_usage',
      'error_code',
      'inserted_at',
      'updated_at',
      'is_image',
      'audit_result',
    ]);
    expect(file).toMatchObject({
      status: 'PENDING',
      file_name: 'notes.txt',
      from_share: false,
      file_size: Buffer.byteLength(TEXT),
      model_kind: 'NORMAL',
      token_usage: null,
      error_code: null,
      is_image: false,
      audit_result: null,
    });
    expect(file.id).toMatch(/^file-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(file.inserted_at).toBeGreaterThanOrEqual(before - 0.001);
    expect(file.updated_at).toBe(file.inserted_at);

    const state = fake.state();
    expect(state.files[file.id]).toEqual({
      id: file.id,
      account: 'tok-a',
      fileName: 'notes.txt',
      size: Buffer.byteLength(TEXT),
      sha256: createHash('sha256').update(TEXT).digest('hex'),
      contentType: 'text/plain',
      isImage: false,
      modelKind: 'NORMAL',
      status: 'PENDING',
      polls: 0,
      tokenUsage: null,
      errorCode: null,
      forkedFrom: null,
      insertedAt: file.inserted_at,
      updatedAt: file.updated_at,
    });
    expect(state.requests.upload_file).toBe(1);
    expect(state.lastHeaders.upload_file).toMatchObject({
      authorization: 'Bearer <redacted>',
      'x-ds-pow-response': '<redacted>',
      'x-file-size': String(Buffer.byteLength(TEXT)),
    });
    expect(state.pow.verified).toBe(1);
  });

  it('should flag images by magic bytes and default the content type', async () => {
    const res = await alice.upload({ filename: 'shot', data: PNG });
    expect(res.json.data.biz_data).toMatchObject({ is_image: true, model_kind: 'NORMAL', file_size: PNG.length });
    expect(fake.state().files[res.json.data.biz_data.id].contentType).toBe('application/octet-stream');
  });

  it('should give model_kind VISION when the upload says x-model-type: vision (and vision is available)', async () => {
    const headers = { 'x-model-type': 'vision', 'x-thinking-enabled': '0' };
    const vision = await alice.upload({ filename: 'a.png', contentType: 'image/png', data: PNG }, { headers });
    expect(vision.json.data.biz_data.model_kind).toBe('VISION');
    expect(fake.state().lastHeaders.upload_file).toMatchObject(headers);

    fake.configure({ unavailableModels: ['vision'] });
    const normal = await alice.upload({ filename: 'a.png', contentType: 'image/png', data: PNG }, { headers });
    expect(normal.json.data.biz_data.model_kind).toBe('NORMAL');
  });

  describe('PoW', () => {
    const file = { filename: 'a.txt', contentType: 'text/plain', data: TEXT };

    it('should refuse an upload without the header: 40300 MISSING_HEADER', async () => {
      const res = await alice.upload(file, { pow: null });
      expect(res.json).toEqual({ code: 40300, msg: 'MISSING_HEADER', data: null });
      expect(fake.state().pow.rejected).toEqual([
        { endpoint: 'upload_file', account: 'tok-a', reason: 'header missing', at: expect.any(Number) },
      ]);
      expect(fake.state().files).toEqual({});
    });

    it('should refuse a completion challenge on upload, and an upload challenge on completion', async () => {
      const forCompletion = await alice.solvedHeader('/api/v0/chat/completion');
      const upload = await alice.upload(file, { pow: forCompletion });
      expect(upload.json).toEqual({ code: 40301, msg: 'INVALID_POW_RESPONSE', data: null });

      const forUpload = await alice.solvedHeader(UPLOAD);
      const completion = await alice.complete({ chat_session_id: await alice.createSession() }, { pow: forUpload });
      expect(completion.json).toEqual({ code: 40301, msg: 'INVALID_POW_RESPONSE', data: null });

      expect(fake.state().pow.rejected.map((r) => [r.endpoint, r.reason])).toEqual([
        ['upload_file', 'target_path does not match the endpoint'],
        ['completion', 'target_path does not match the endpoint'],
      ]);
    });

    it('should refuse a forged target_path in the header (the signature covers the issued one)', async () => {
      const challenge = await alice.challenge('/api/v0/chat/completion');
      const forged = powHeader(challenge, solvePow(challenge), { target_path: UPLOAD });
      expect((await alice.upload(file, { pow: forged })).json.code).toBe(40301);
      expect(fake.state().pow.rejected[0].reason).toBe('target_path does not match the endpoint');
    });

    it('should accept an upload answer once only, and only from the account it was issued to', async () => {
      const pow = await alice.solvedHeader(UPLOAD);
      expect((await bob.upload(file, { pow })).json.code).toBe(40301);
      expect((await alice.upload(file, { pow })).json.data.biz_code).toBe(0);
      expect((await alice.upload(file, { pow })).json.code).toBe(40301);
      expect(fake.state().pow.rejected.map((r) => r.reason)).toEqual([
        'challenge issued to another account',
        'challenge already used',
      ]);
    });

    it('should skip the check with verifyPow: false', async () => {
      fake.configure({ verifyPow: false });
      expect((await alice.upload(file, { pow: null })).json.data.biz_code).toBe(0);
    });
  });

  describe('refusals', () => {
    const file = { filename: 'a.txt', contentType: 'text/plain', data: TEXT };

    it('should answer 40003 to an unknown or dead token, and biz_code 5 to a muted account', async () => {
      const stranger = new FakeClient(fake.url, 'tok-nobody');
      expect((await stranger.upload(file, { pow: 'x' })).json).toEqual({
        code: 40003,
        msg: 'Authorization Failed (invalid token)',
        data: null,
      });
      fake.addFault({ fault: 'muted', account: 'tok-a', endpoint: 'users_current', params: { seconds: 600 } });
      await alice.json('/api/v0/users/current');
      const muted = await alice.upload(file);
      expect(muted.json.data).toMatchObject({ biz_code: 5, biz_msg: 'user is muted', biz_data: { is_muted: 1 } });
    });

    it('should answer biz_code 10 to a banned account', async () => {
      fake.addFault({ fault: 'banned', account: 'tok-a', endpoint: 'users_current', params: { permanent: true } });
      await alice.json('/api/v0/users/current');
      expect((await alice.upload(file, { pow: null })).json).toEqual(biz(10, 'USER_IS_BANNED'));
    });

    it('should refuse an x-file-size that is not the bytes received: biz_code 1 file size mismatch', async () => {
      const res = await alice.upload(file, { fileSize: Buffer.byteLength(TEXT) + 1 });
      expect(res.status).toBe(200);
      expect(res.json).toEqual(biz(1, 'file size mismatch'));
      expect(fake.state().files).toEqual({});
      expect((await alice.upload(file, { fileSize: 'abc' })).json).toEqual(biz(1, 'file size mismatch'));
      expect((await alice.upload(file, { fileSize: null })).json.data.biz_code).toBe(0);
    });

    it('should answer 422 when there is no file part or no multipart body', async () => {
      const pow = await alice.solvedHeader(UPLOAD);
      const form = multipartBody([{ name: 'document', filename: 'a.txt', data: 'x' }]);
      const noFile = await rawRequest(`${fake.url}${UPLOAD}`, form.body, {
        headers: { authorization: 'Bearer tok-a', 'x-ds-pow-response': pow, 'content-type': form.contentType },
      });
      expect(noFile.status).toBe(422);
      expect(noFile.json).toEqual({ detail: [{ loc: ['body', 'file'], msg: 'field required', type: 'value_error' }] });

      const json = await rawRequest(
        `${fake.url}${UPLOAD}`,
        { file: 'x' },
        {
          headers: { authorization: 'Bearer tok-a', 'x-ds-pow-response': await alice.solvedHeader(UPLOAD) },
        },
      );
      expect(json.status).toBe(422);
    });

    it('should refuse a file over files.maxBytes with biz_code 9 file too large, however large', async () => {
      fake.configure({ files: { maxBytes: 10 } });
      expect((await alice.upload({ filename: 'ten.txt', data: '0123456789' })).json.data.biz_code).toBe(0);
      expect((await alice.upload({ filename: 'eleven.txt', data: '0123456789A' })).json).toEqual(
        biz(9, 'file too large'),
      );
      const huge = await alice.upload({ filename: 'huge.bin', data: Buffer.alloc(300 * 1024) });
      expect(huge.json).toEqual(biz(9, 'file too large'));
      expect(Object.keys(fake.state().files)).toHaveLength(1);
    });

    it('should refuse configured extensions with biz_code 9 unsupported file type', async () => {
      fake.configure({ files: { unsupportedExtensions: ['exe'] } });
      expect((await alice.upload({ filename: 'setup.EXE', data: 'MZ' })).json).toEqual(biz(9, 'unsupported file type'));
      expect((await alice.upload({ filename: 'setup.txt', data: 'MZ' })).json.data.biz_code).toBe(0);
    });

    it('should answer upload_rate_limit with biz_code 7 rate limit reached, once, for that account only', async () => {
      fake.addFault({ fault: 'upload_rate_limit', account: 'tok-a' });
      expect((await bob.upload(file)).json.data.biz_code).toBe(0);
      expect((await alice.upload(file)).json).toEqual(biz(7, 'rate limit reached'));
      expect((await alice.upload(file)).json.data.biz_code).toBe(0);
      expect(fake.state().faults.consumed).toEqual([
        {
          id: expect.any(Number),
          fault: 'upload_rate_limit',
          account: 'tok-a',
          endpoint: 'upload_file',
          at: expect.any(Number),
        },
      ]);
    });

    it('should answer upload_rate_limit with form code as a top-level code 7', async () => {
      fake.addFault({ fault: 'upload_rate_limit', times: 2, params: { form: 'code' } });
      expect((await alice.upload(file)).json).toEqual({ code: 7, msg: 'rate limit reached', data: null });
      expect((await bob.upload(file)).json).toEqual({ code: 7, msg: 'rate limit reached', data: null });
      expect((await alice.upload(file)).json.data.biz_code).toBe(0);
    });

    it('should not spend upload faults on other endpoints', async () => {
      fake.addFault({ fault: 'upload_rate_limit' }, { fault: 'file_failed' });
      const res = await alice.complete({ chat_session_id: await alice.createSession() });
      expect(res.status).toBe(200);
      expect(fake.state().faults.queued.map((f) => f.fault)).toEqual(['upload_rate_limit', 'file_failed']);
    });

    it('should apply the generic request faults (throttle 40029, WAF) to upload_file', async () => {
      fake.addFault(
        { fault: 'throttle', endpoint: 'upload_file' },
        { fault: 'waf_html', endpoint: 'upload_file', params: { variant: 'aws' } },
      );
      expect((await alice.upload(file)).json).toEqual({
        code: 40029,
        msg: 'Messages too frequent. Try again later.',
        data: null,
      });
      const waf = await alice.upload(file);
      expect(waf.status).toBe(202);
      expect(waf.headers['x-amzn-waf-action']).toBe('challenge');
    });
  });
});
