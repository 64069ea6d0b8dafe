import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { resolve } from 'node:path';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { waitUntil } from '../../utils/settle';

const ROOT = resolve(__dirname, '..', '..', '..');
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** Nothing listens there: no boot below talks to the upstream. */
const UPSTREAM = 'http://127.0.0.1:9';

/** `npm start` minus the build: src/main.ts in a process of its own, its stdout not a terminal. */
class ServerProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['-r', require.resolve('ts-node/register/transpile-only'), 'src/main.ts'], {
      cwd: ROOT,
      // Only what the test gives: no LOG_FORMAT, so the default for a non-terminal applies.
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', DEEPSEEK_BASE_URL: UPSTREAM, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => (this.stdout += text));
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
  }

  lines(): Record<string, unknown>[] {
    return this.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async booted(): Promise<Record<string, unknown>> {
    await waitUntil(() => this.stdout.includes('"context":"Bootstrap"') || this.child.exitCode !== null, 45_000);
    const line = this.lines().find((entry) => entry.context === 'Bootstrap');
    if (!line) throw new Error(`no boot line:\n${this.stdout}\n${this.stderr}`);
    return line;
  }

  async stop(): Promise<number | null> {
    this.child.kill('SIGTERM');
    return this.exited;
  }

  /** Only ours, by its pid, if a test left it running. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function listenOnFreePort(): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done(server));
  });
}

async function freePort(): Promise<number> {
  const server = await listenOnFreePort();
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

describe('a first run of npm start (e2e)', () => {
  jest.setTimeout(90_000);
  let server: ServerProcess | undefined;
  afterEach(() => server?.kill());

  it('should say in one JSON line what it is doing, and nothing else at info level', async () => {
    const port = await freePort();
    server = new ServerProcess({ PORT: String(port) });

    const boot = await server.booted();

    expect(boot).toEqual({
      level: 'info',
      time: expect.stringMatching(ISO_TIME),
      pid: expect.any(Number),
      context: 'Bootstrap',
      mode: 'pass-through',
      pool_accounts: 0,
      address: `http://127.0.0.1:${port}`,
      upstream: UPSTREAM,
      msg: `Listening on http://127.0.0.1:${port} in pass-through mode with 0 pool accounts; upstream ${UPSTREAM}`,
    });
    expect(server.lines()).toHaveLength(1);
    expect(await server.stop()).toBe(0);
    expect(server.stderr).toBe('');
  });

  it("should name the mode and count the pool accounts, Nest's boot lines only at debug level", async () => {
    const tokens = makeTokens('first-run', 2);
    const apiKey = 'sk-first-run-Hq2Wv8Lr5Tn1Yx6B';
    const port = await freePort();
    server = new ServerProcess({
      PORT: String(port),
      DEEPSEEK_TOKENS: tokens.join(','),
      API_KEYS: apiKey,
      LOG_LEVEL: 'debug',
    });

    const boot = await server.booted();

    expect(boot.msg).toBe(
      `Listening on http://127.0.0.1:${port} in managed mode with 2 pool accounts; upstream ${UPSTREAM}`,
    );
    const lines = server.lines();
    const chatter = lines.filter((line) =>
      ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'].includes(line.context as string),
    );
    expect(chatter.length).toBeGreaterThan(5);
    expect(new Set(chatter.map((line) => line.level))).toEqual(new Set(['debug']));
    expect(await server.stop()).toBe(0);
    expectNoSecrets(server.stdout + server.stderr, [...tokens, apiKey], 'the boot output');
  });

  it('should refuse bad settings in one plain line per variable, quoting no secret, and exit 1', async () => {
    const [token] = makeTokens('first-run-bad', 1);
    server = new ServerProcess({ PORT: 'abc', LOG_FORMAT: 'xml', DEEPSEEK_TOKENS: `${token},not a token` });

    expect(await server.exited).toBe(1);
    expect(server.stderr).toBe(
      [
        'PORT: "abc" is not a whole number between 0 and 65535',
        'LOG_FORMAT: "xml" is not one of json, pretty',
        'DEEPSEEK_TOKENS: token #2 contains characters other than printable ASCII (or a space)',
        '',
      ].join('\n'),
    );
    expect(server.stdout).toBe('');
    expectNoSecrets(server.stderr, [token], 'the settings errors');
  });

  it('should say that the port is taken, and exit 1', async () => {
    const taken = await listenOnFreePort();
    const { port } = taken.address() as AddressInfo;
    try {
      server = new ServerProcess({ PORT: String(port) });

      expect(await server.exited).toBe(1);
    } finally {
      await new Promise((done) => taken.close(done));
    }
    expect(server.stderr).toBe(`port ${port} is already in use on 127.0.0.1; set PORT to another port\n`);
    expect(server.stdout).toBe('');
  });
});
