import { rawRequest } from '../utils/http/raw-request';
import { type FakeDeepSeek, startFakeDeepSeek } from './index';
import { biz, decodeStream, FakeClient, type UploadPart } from './spec-helpers';

const TEXT = { filename: 'notes.txt', contentType: 'text/plain', data: 'four score and seven years ago' };
const IMAGE = { filename: 'cat.png', contentType: 'image/png', data: Buffer.from('\x89PNG\r\n\x1a\nrest', 'latin1') };

describe('fake DeepSeek: file status, fetch_files, fork_file_task and ref_file_ids', () => {
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

  const upload = async (client: FakeClient, file: UploadPart = TEXT) => (await client.upload(file)).json.data.biz_data;
  const statuses = async (client: FakeClient, ids: string[]) =>
    (await client.fetchFiles(ids)).data.biz_data.files.map((f: { status: string }) => f.status);

  describe('status progression', () => {
    it('should go PENDING → PARSING → SUCCESS over two polls by default, in the real fetch_files shape', async () => {
      const file = await upload(alice);
      expect(file.status).toBe('PENDING');

      const first = await alice.fetchFiles([file.id]);
      expect(first).toMatchObject(biz(0, '', {}));
      expect(first.data.biz_data.files).toEqual([
        {
          id: file.id,
          status: 'PARSING',
          file_name: 'notes.txt',
          file_size: TEXT.data.length,
          token_usage: null,
          error_code: null,
          inserted_at: file.inserted_at,
          updated_at: expect.any(Number),
        },
      ]);
      const [done] = (await alice.fetchFiles([file.id])).data.biz_data.files;
      expect(done).toMatchObject({ status: 'SUCCESS', token_usage: Math.ceil(TEXT.data.length / 4), error_code: null });
      expect(done.updated_at).toBeGreaterThanOrEqual(file.updated_at);
      expect(await statuses(alice, [file.id])).toEqual(['SUCCESS']);
      expect(fake.state().files[file.id]).toMatchObject({ status: 'SUCCESS', polls: 2, tokenUsage: 8 });
      expect(fake.state().requests.fetch_files).toBe(3);
    });

    it('should follow pollsToParsing / pollsToDone', async () => {
      fake.configure({ files: { pollsToParsing: 2, pollsToDone: 3 } });
      const { id } = await upload(alice);
      const seen = [];
      for (let i = 0; i < 4; i++) seen.push(...(await statuses(alice, [id])));
      expect(seen).toEqual(['PENDING', 'PARSING', 'SUCCESS', 'SUCCESS']);
    });

    it('should end SUCCESS on the first poll with pollsToDone: 1', async () => {
      fake.configure({ files: { pollsToDone: 1 } });
      const { id } = await upload(alice);
      expect(await statuses(alice, [id])).toEqual(['SUCCESS']);
    });

    it('should fix a file plan at upload (later config changes do not apply to it)', async () => {
      const { id } = await upload(alice);
      fake.configure({ files: { outcome: 'FAILED', pollsToDone: 1 } });
      expect(await statuses(alice, [id, id])).toEqual(['PARSING']);
      expect(await statuses(alice, [id])).toEqual(['SUCCESS']);
    });

    it('should answer the outcome in the upload reply with files.immediate (token_usage a number)', async () => {
      fake.configure({ files: { immediate: true } });
      const file = await upload(alice);
      expect(file).toMatchObject({ status: 'SUCCESS', token_usage: 8, error_code: null });
      expect(await statuses(alice, [file.id])).toEqual(['SUCCESS']);
    });

    it('should end FAILED with files.errorCode when files.outcome is FAILED', async () => {
      fake.configure({ files: { outcome: 'FAILED', errorCode: 'UNREADABLE', pollsToDone: 1 } });
      const file = await upload(alice);
      const [entry] = (await alice.fetchFiles([file.id])).data.biz_data.files;
      expect(entry).toMatchObject({ status: 'FAILED', token_usage: null, error_code: 'UNREADABLE' });
      expect(fake.state().files[file.id]).toMatchObject({
        status: 'FAILED',
        errorCode: 'UNREADABLE',
        tokenUsage: null,
      });
    });

    it('should make the next upload (of that account) FAILED with a file_failed fault', async () => {
      fake.addFault({ fault: 'file_failed', account: 'tok-a', params: { error_code: 'VIRUS' } });
      const bobs = await upload(bob);
      const failed = await upload(alice);
      const next = await upload(alice);
      const entries = async (client: FakeClient, id: string) => {
        await client.fetchFiles([id]);
        return (await client.fetchFiles([id])).data.biz_data.files[0];
      };
      expect(await entries(bob, bobs.id)).toMatchObject({ status: 'SUCCESS' });
      expect(await entries(alice, failed.id)).toMatchObject({ status: 'FAILED', error_code: 'VIRUS' });
      expect(await entries(alice, next.id)).toMatchObject({ status: 'SUCCESS' });
    });

    it('should answer FAILED in the upload reply with immediate + file_failed (default error code)', async () => {
      fake.configure({ files: { immediate: true } });
      fake.addFault({ fault: 'file_failed' });
      expect(await upload(alice)).toMatchObject({ status: 'FAILED', token_usage: null, error_code: 'PARSE_FAILED' });
    });

    it('should use time instead of polls with files.parseDelayMs', async () => {
      fake.configure({ files: { parseDelayMs: 300 } });
      const { id } = await upload(alice);
      expect(await statuses(alice, [id])).toEqual(['PARSING']);
      expect(fake.state().files[id].status).toBe('PARSING');
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(fake.state().files[id].status).toBe('SUCCESS');
      expect(await statuses(alice, [id])).toEqual(['SUCCESS']);
    });
  });

  describe('fetch_files', () => {
    it("should list only the caller's files, once each, in the order asked, and not poll the others'", async () => {
      const a1 = await upload(alice);
      const a2 = await upload(alice, IMAGE);
      const b1 = await upload(bob);
      const res = await alice.fetchFiles([a2.id, 'file-unknown', b1.id, a1.id, a2.id]);
      expect(res.data.biz_data.files.map((f: { id: string }) => f.id)).toEqual([a2.id, a1.id]);
      expect(fake.state().files[b1.id].polls).toBe(0);
      expect(fake.state().files[a2.id].polls).toBe(1);
      expect(await alice.fetchFiles([b1.id])).toEqual(biz(0, '', { files: [] }));
    });

    it('should answer 422 without file_ids and 40003 to an unknown token', async () => {
      const noIds = await rawRequest(`${fake.url}/api/v0/file/fetch_files`, undefined, {
        headers: { authorization: 'Bearer tok-a' },
      });
      expect(noIds.status).toBe(422);
      expect(noIds.json).toEqual({
        detail: [{ loc: ['query', 'file_ids'], msg: 'field required', type: 'value_error.missing' }],
      });
      expect(await new FakeClient(fake.url, 'tok-x').fetchFiles(['file-1'])).toEqual({
        code: 40003,
        msg: 'Authorization Failed (invalid token)',
        data: null,
      });
    });

    it('should let a muted account poll its files', async () => {
      const { id } = await upload(alice);
      fake.configure({ accounts: { 'tok-a': { mutedUntil: Date.now() / 1000 + 600 } } });
      expect(await statuses(alice, [id])).toEqual(['PARSING']);
    });
  });

  describe('fork_file_task', () => {
    it('should copy a file into a new PENDING VISION file that progresses on its own', async () => {
      const source = await alice.uploadAndWait(IMAGE);
      const res = await alice.json('/api/v0/file/fork_file_task', { file_id: source.id, to_model_type: 'vision' });
      const fork = res.data.biz_data;
      expect(res).toMatchObject(biz(0, '', {}));
      expect(fork).toMatchObject({
        status: 'PENDING',
        file_name: 'cat.png',
        file_size: IMAGE.data.length,
        model_kind: 'VISION',
        is_image: true,
        token_usage: null,
      });
      expect(fork.id).not.toBe(source.id);
      const state = fake.state();
      expect(state.files[fork.id]).toMatchObject({ forkedFrom: source.id, modelKind: 'VISION', account: 'tok-a' });
      expect(state.files[fork.id].sha256).toBe(state.files[source.id].sha256);
      expect(state.files[source.id]).toMatchObject({ modelKind: 'NORMAL', status: 'SUCCESS' });
      expect(state.requests.fork_file_task).toBe(1);
      expect(await statuses(alice, [fork.id])).toEqual(['PARSING']);
      expect(await statuses(alice, [fork.id])).toEqual(['SUCCESS']);
    });

    it("should refuse another account's or an unknown file with biz_code 9 invalid file id", async () => {
      const bobs = await upload(bob);
      const body = { file_id: bobs.id, to_model_type: 'vision' };
      expect(await alice.json('/api/v0/file/fork_file_task', body)).toEqual(biz(9, 'invalid file id'));
      expect(await alice.json('/api/v0/file/fork_file_task', { ...body, file_id: 'file-x' })).toEqual(
        biz(9, 'invalid file id'),
      );
    });

    it('should refuse when vision is unavailable, or another target, as a disabled mode: biz_code 1', async () => {
      const { id } = await upload(alice, IMAGE);
      fake.configure({ unavailableModels: ['vision'] });
      const refused = await alice.json('/api/v0/file/fork_file_task', { file_id: id, to_model_type: 'vision' });
      expect(refused).toEqual(biz(1, 'model type not available'));
      fake.configure({ unavailableModels: [] });
      const expert = await alice.json('/api/v0/file/fork_file_task', { file_id: id, to_model_type: 'expert' });
      expect(expert).toEqual(biz(1, 'model type not available'));
      expect(Object.keys(fake.state().files)).toEqual([id]);
    });

    it('should give a fork the current files config (immediate FAILED here)', async () => {
      const { id } = await upload(alice, IMAGE);
      fake.configure({ files: { immediate: true, outcome: 'FAILED' } });
      const res = await alice.json('/api/v0/file/fork_file_task', { file_id: id, to_model_type: 'vision' });
      expect(res.data.biz_data).toMatchObject({ status: 'FAILED', error_code: 'PARSE_FAILED', model_kind: 'VISION' });
    });

    it('should answer 422 without file_id', async () => {
      const res = await rawRequest(
        `${fake.url}/api/v0/file/fork_file_task`,
        { to_model_type: 'vision' },
        { headers: { authorization: 'Bearer tok-a' } },
      );
      expect(res.status).toBe(422);
    });
  });

  describe('ref_file_ids on completion', () => {
    it("should stream with the caller's SUCCESS files and record them on the message", async () => {
      const a = await alice.uploadAndWait(TEXT);
      const b = await alice.uploadAndWait(IMAGE);
      const sessionId = await alice.createSession();
      const res = await alice.complete({ chat_session_id: sessionId, ref_file_ids: [a.id, b.id] });
      expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(decodeStream(res.events).status).toBe('FINISHED');
      const message = fake.state().sessions[sessionId].messages[0];
      expect(message.refFileIds).toEqual([a.id, b.id]);
    });

    it('should record an empty list when none are sent', async () => {
      const sessionId = await alice.createSession();
      await alice.complete({ chat_session_id: sessionId, ref_file_ids: [] });
      await alice.complete({ chat_session_id: sessionId, parent_message_id: 2 });
      expect(fake.state().sessions[sessionId].messages.map((m) => m.refFileIds)).toEqual([[], []]);
    });

    it('should append the file names to an echoed reply, and pass the files to a reply hook', async () => {
      const a = await alice.uploadAndWait(TEXT);
      const b = await alice.uploadAndWait(IMAGE);
      fake.configure({ echo: true });
      const res = await alice.complete({
        chat_session_id: await alice.createSession(),
        prompt: 'Describe',
        ref_file_ids: [a.id, b.id],
      });
      expect(decodeStream(res.events).content).toBe('Describe [files: notes.txt, cat.png]');

      const seen: unknown[] = [];
      fake.configure({ replyFor: (req) => (seen.push(req.files), { content: 'ok' }) });
      await alice.complete({ chat_session_id: await alice.createSession(), ref_file_ids: [b.id] });
      expect(seen).toEqual([
        [{ id: b.id, fileName: 'cat.png', contentType: 'image/png', size: IMAGE.data.length, isImage: true }],
      ]);
    });

    it.each<[string, () => unknown]>([
      ['an unknown id', () => 'file-00000000-0000-0000-0000-000000000000'],
      ['a PENDING file', async () => (await upload(alice)).id],
      [
        'a PARSING file',
        async () => {
          const { id } = await upload(alice);
          await alice.fetchFiles([id]);
          return id;
        },
      ],
      [
        'a FAILED file',
        async () => {
          fake.addFault({ fault: 'file_failed' });
          return (await alice.uploadAndWait(TEXT)).id;
        },
      ],
      ["another account's file", async () => (await bob.uploadAndWait(TEXT)).id],
      ['a non-string id', () => 42],
    ])('should refuse %s with biz_code 9 invalid ref file id', async (_, makeId) => {
      const good = await alice.uploadAndWait(TEXT);
      const bad = await makeId();
      const sessionId = await alice.createSession();
      const res = await alice.complete({ chat_session_id: sessionId, ref_file_ids: [good.id, bad] });
      expect(res.json).toEqual(biz(9, 'invalid ref file id'));
      expect(fake.state().sessions[sessionId].messages).toEqual([]);
      expect(fake.state().accounts['tok-a'].inFlight).toBe(0);
    });

    it('should accept a file once the time rule has made it SUCCESS, without a poll', async () => {
      fake.configure({ files: { parseDelayMs: 0 } });
      const { id } = await upload(alice);
      const res = await alice.complete({ chat_session_id: await alice.createSession(), ref_file_ids: [id] });
      expect(decodeStream(res.events).status).toBe('FINISHED');
    });
  });

  describe('control API and reset', () => {
    it('should take files config and upload faults over HTTP, and reject bad values', async () => {
      const post = (path: string, body: unknown) => rawRequest(`${fake.url}${path}`, body as object);
      const configured = await post('/__fake__/config', { files: { immediate: true, maxBytes: 1000 } });
      expect(configured.status).toBe(200);
      expect(configured.json.files).toMatchObject({
        immediate: true,
        maxBytes: 1000,
        pollsToDone: 2,
        outcome: 'SUCCESS',
      });
      expect((await post('/__fake__/config', { files: { outcome: 'MAYBE' } })).status).toBe(400);
      expect((await post('/__fake__/config', { files: { nope: 1 } })).status).toBe(400);

      const faults = await post('/__fake__/faults', [
        { fault: 'upload_rate_limit', account: 'tok-a', params: { form: 'code' } },
        { fault: 'file_failed', account: 'tok-a', params: { error_code: 'E1' } },
      ]);
      expect(faults.status).toBe(200);
      expect((await alice.upload(TEXT)).json).toEqual({ code: 7, msg: 'rate limit reached', data: null });
      expect(await upload(alice)).toMatchObject({ status: 'FAILED', error_code: 'E1' });

      const state = (await rawRequest(`${fake.url}/__fake__/state`)).json;
      expect(Object.values(state.files)).toMatchObject([{ status: 'FAILED', account: 'tok-a' }]);
    });

    it('should forget files on reset, and reset the files config', async () => {
      fake.configure({ files: { immediate: true } });
      const { id } = await upload(alice);
      fake.reset();
      expect(fake.state().files).toEqual({});
      expect(fake.config.files.immediate).toBe(false);
      expect(await alice.fetchFiles([id])).toEqual(biz(0, '', { files: [] }));
    });
  });
});
