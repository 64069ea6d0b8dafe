import { CLIENT_VERSION_PATTERN } from './client-version';
import { isStreamFormat } from './config';
import type { FakeOptions } from './types';

export const USAGE = `Usage: npm run fake-upstream -- [options]
  --port N                 listen port (default 9000; 0 = any)
  --host H                 listen address (default 127.0.0.1)
  --tokens a,b             accepted account tokens
  --difficulty N           PoW difficulty (default 144000)
  --pow-expire MS          PoW challenge lifetime (default 300000)
  --no-verify-pow          accept completions without checking the PoW
  --strict-continue-pow    enforce expiry and single use on chat/continue too
  --format A|B|C           stream format (default C)
  --session-shape S        flat | nested (default nested)
  --busy-form F            sse | envelope (default sse)
  --first-byte-delay MS    delay before the first stream byte
  --token-delay MS         delay before every token frame
  --chars-per-frame N      fixed frame size instead of the 1-4 character tokeniser
  --heartbeat MS           ": " comment when no frame was written for MS
  --title-delay MS         keep the stream open (account busy) for MS after the terminal status
  --min-client-version V   refuse PoW challenges and completions from older x-client-version (40005)
  --reply TEXT             answer text
  --reasoning TEXT         thinking text
  --echo                   answer with the prompt
  --emit-tip               Format C: TIP fragment after the answer
  --no-finish              omit "event: finish" (2026-04-29 behaviour)
  --no-keep-generating     release the account at once when the client disconnects
  --allow-concurrent       let an account run several generations at once (benchmarks)
  --replay ID              answer the first completion with a capture's bytes
  --captures-dir DIR       where the captures are
  --help`;

type Setter = (options: FakeOptions, value: string) => void;

const num =
  (key: keyof FakeOptions): Setter =>
  (options, value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${String(key)} needs a non-negative number`);
    (options as Record<string, unknown>)[key] = n;
  };

const VALUE_FLAGS: Record<string, Setter> = {
  port: num('port'),
  host: (o, v) => (o.host = v),
  tokens: (o, v) =>
    (o.accounts = v
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean)),
  difficulty: num('powDifficulty'),
  'pow-expire': num('powExpireMs'),
  format: (o, v) => {
    if (!isStreamFormat(v)) throw new Error('--format must be A, B or C');
    o.format = v;
  },
  'session-shape': (o, v) => {
    if (v !== 'flat' && v !== 'nested') throw new Error('--session-shape must be flat or nested');
    o.sessionShape = v;
  },
  'busy-form': (o, v) => {
    if (v !== 'sse' && v !== 'envelope') throw new Error('--busy-form must be sse or envelope');
    o.busyForm = v;
  },
  'first-byte-delay': num('firstByteDelayMs'),
  'token-delay': num('tokenDelayMs'),
  'chars-per-frame': num('charsPerFrame'),
  heartbeat: num('heartbeatIntervalMs'),
  'title-delay': num('titleDelayMs'),
  'min-client-version': (o, v) => {
    if (!CLIENT_VERSION_PATTERN.test(v)) throw new Error('--min-client-version must look like 2.4.0');
    o.minClientVersion = v;
  },
  reply: (o, v) => (o.reply = { ...o.reply, content: v }),
  reasoning: (o, v) => (o.reply = { ...o.reply, reasoning: v }),
  replay: (o, v) => (o.replay = v),
  'captures-dir': (o, v) => (o.capturesDir = v),
};

const SWITCHES: Record<string, (options: FakeOptions) => void> = {
  'no-verify-pow': (o) => (o.verifyPow = false),
  'strict-continue-pow': (o) => (o.strictContinuePow = true),
  echo: (o) => (o.echo = true),
  'emit-tip': (o) => (o.emitTip = true),
  'no-finish': (o) => (o.emitFinish = false),
  'no-keep-generating': (o) => (o.keepGeneratingAfterDisconnect = false),
  'allow-concurrent': (o) => (o.allowConcurrentGenerations = true),
};

/** Parses `--name value` and `--name=value`; `help: true` when asked for usage. */
export function parseCliArgs(argv: readonly string[]): { options: FakeOptions; help: boolean } {
  const options: FakeOptions = { port: 9000, powDifficulty: 144000 };
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new Error(`unexpected argument: ${arg}`);
    const [, name, inline] = match;
    if (name === 'help') help = true;
    else if (SWITCHES[name]) SWITCHES[name](options);
    else if (VALUE_FLAGS[name]) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      VALUE_FLAGS[name](options, value);
    } else throw new Error(`unknown option: --${name}`);
  }
  return { options, help };
}
