import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseCliArgs } from './cli-args';
import { startFakeDeepSeek } from './index';
import { decodeStream, FakeClient } from './spec-helpers';
import { rawRequest } from '../utils/http/raw-request';

const ROOT = join(__dirname, '..', '..');

describe('fake DeepSeek: CLI and control API', () => {
  it('should parse the documented flags', () => {
    const { options } = parseCliArgs([
      '--port',
      '9000',
      '--tokens',
      'a, b',
      '--difficulty=144000',
      '--format',
      'B',
      '--first-byte-delay',
      '100',
      '--token-delay',
      '20',
      '--chars-per-frame',
      '3',
      '--title-delay',
      '1500',
      '--min-client-version=2.0.0',
      '--reply',
      'Hi!',
      '--reasoning',
      'Hmm.',
      '--echo',
      '--no-keep-generating',
    ]);
    expect(options).toEqual({
      port: 9000,
      accounts: ['a', 'b'],
      powDifficulty: 144000,
      format: 'B',
      firstByteDelayMs: 100,
      tokenDelayMs: 20,
      charsPerFrame: 3,
      titleDelayMs: 1500,
      minClientVersion: '2.0.0',
      reply: { content: 'Hi!', reasoning: 'Hmm.' },
      echo: true,
      keepGeneratingAfterDisconnect: false,
    });
    expect(() => parseCliArgs(['--format', 'D'])).toThrow('A, B or C');
    expect(() => parseCliArgs(['--title-delay', '-1'])).toThrow('non-negative');
    expect(() => parseCliArgs(['--min-client-version', 'new'])).toThrow('2.4.0');
    expect(() => parseCliArgs(['--bogus'])).toThrow('unknown option');
    expect(parseCliArgs(['--help']).help).toBe(true);
  });

  it('should be controllable over HTTP', async () => {
    const fake = await startFakeDeepSeek({ accounts: ['tok-a'] });
    try {
      const post = (path: string, body: object) =>
        rawRequest(`${fake.url}${path}`, body).then((r) => JSON.parse(r.text));
      expect(
        await post('/__fake__/config', { format: 'B', reply: { content: 'Configured.' }, accounts: ['tok-c'] }),
      ).toMatchObject({
        format: 'B',
        reply: { content: 'Configured.' },
        accounts: { 'tok-a': expect.any(Object), 'tok-c': expect.any(Object) },
      });
      expect(await post('/__fake__/config', { format: 'Z' })).toEqual({ error: 'invalid value for format' });
      expect(await post('/__fake__/config', { nope: 1 })).toEqual({ error: 'unknown config key: nope' });
      const faults = await post('/__fake__/faults', [{ fault: 'throttle', endpoint: 'users_current', times: 2 }]);
      expect(faults.queued).toEqual([expect.objectContaining({ fault: 'throttle', remaining: 2 })]);
      expect((await post('/__fake__/faults', { fault: 'nope' })).error).toBe('unknown fault: nope');

      const client = new FakeClient(fake.url, 'tok-c');
      const res = await client.complete({ chat_session_id: await client.createSession() });
      expect(decodeStream(res.events).content).toBe('Configured.');
      const state = JSON.parse((await rawRequest(`${fake.url}/__fake__/state`)).text);
      expect(state.requests.completion).toBe(1);
      expect(Object.values(state.sessions)).toHaveLength(1);

      expect(await post('/__fake__/reset', {})).toEqual({ ok: true });
      const config = JSON.parse((await rawRequest(`${fake.url}/__fake__/config`)).text);
      expect(config).toMatchObject({ format: 'C', accounts: { 'tok-a': expect.any(Object) } });
      expect(config.accounts['tok-c']).toBeUndefined();
    } finally {
      await fake.close();
    }
  });

  it('should set, show and reset the 2026 settings over HTTP', async () => {
    const fake = await startFakeDeepSeek({ accounts: ['tok-a'] });
    try {
      const post = (path: string, body: object) =>
        rawRequest(`${fake.url}${path}`, body).then((r) => JSON.parse(r.text));
      expect(await post('/__fake__/config', { titleDelayMs: 250, minClientVersion: '2.4.0' })).toMatchObject({
        titleDelayMs: 250,
        minClientVersion: '2.4.0',
      });
      expect(await post('/__fake__/config', { titleDelayMs: -1 })).toEqual({ error: 'invalid value for titleDelayMs' });
      const added = await post('/__fake__/faults', [
        { fault: 'banned', account: 'tok-a', params: { permanent: true } },
        { fault: 'close_retry', params: { afterTokens: 1 } },
      ]);
      expect(added.queued.map((f: { fault: string }) => f.fault)).toEqual(['banned', 'close_retry']);
      await new FakeClient(fake.url, 'tok-a').json('/api/v0/users/current');
      const state = JSON.parse((await rawRequest(`${fake.url}/__fake__/state`)).text);
      expect(state.accounts['tok-a'].banned).toBe(true);
      expect(state.faults.queued.map((f: { fault: string }) => f.fault)).toEqual(['close_retry']);

      expect(await post('/__fake__/reset', {})).toEqual({ ok: true });
      const config = JSON.parse((await rawRequest(`${fake.url}/__fake__/config`)).text);
      expect(config).toMatchObject({ titleDelayMs: 0, minClientVersion: null });
      const reset = JSON.parse((await rawRequest(`${fake.url}/__fake__/state`)).text);
      expect(reset.accounts['tok-a'].banned).toBe(false);
      expect(reset.faults).toEqual({ queued: [], consumed: [] });
    } finally {
      await fake.close();
    }
  });

  describe('standalone process', () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      child?.kill('SIGTERM');
      child = undefined;
    });

    it('should start, print its URL and serve the protocol', async () => {
      child = spawn(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          'test/fake-deepseek/main.ts',
          '--port',
          '0',
          '--tokens',
          'cli-a',
          '--difficulty',
          '500',
          '--reply',
          'From the CLI.',
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child!.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) resolve(match[1]);
        });
        child!.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child!.on('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
      });
      const client = new FakeClient(url, 'cli-a');
      expect((await client.json('/api/v0/users/current')).data.biz_data.token).toBe('cli-a');
      const challenge = await client.challenge();
      expect(challenge.difficulty).toBe(500);
      const res = await client.complete({ chat_session_id: await client.createSession() });
      expect(decodeStream(res.events)).toMatchObject({ content: 'From the CLI.', status: 'FINISHED' });
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      child = undefined;
    }, 30_000);
  });
});
