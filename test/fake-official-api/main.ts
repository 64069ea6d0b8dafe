import { startFakeOfficialApi } from './server';
import type { FakeOfficialOptions } from './types';

const USAGE = `Usage: npm run fake-official-api -- [options]
  --port N                listen port (default 9100; 0 = any)
  --host H                listen address (default 127.0.0.1)
  --keys a,b              accepted API keys (default: any key)
  --token-delay MS        pause between streamed pieces
  --queue-delay MS        "busy" time before each answer (keep-alives meanwhile)
  --tokens-per-answer N   default answer length in pieces
  --help`;

function count(name: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer`);
  return n;
}

export function parseArgs(argv: readonly string[]): FakeOfficialOptions | 'help' {
  const options: FakeOfficialOptions = { port: 9100 };
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new Error(`unexpected argument: ${argv[i]}`);
    const [, name, inline] = match;
    if (name === 'help') return 'help';
    const value = inline ?? argv[++i];
    if (name === 'port') options.port = count(name, value);
    else if (name === 'host' && value) options.host = value;
    else if (name === 'keys' && value) {
      options.keys = value
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
    } else if (name === 'token-delay') options.tokenDelayMs = count(name, value);
    else if (name === 'queue-delay') options.queueDelayMs = count(name, value);
    else if (name === 'tokens-per-answer') options.answerPieces = count(name, value);
    else throw new Error(`unknown option or missing value: --${name}`);
  }
  return options;
}

async function main(): Promise<void> {
  let parsed: FakeOfficialOptions | 'help';
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fake = await startFakeOfficialApi(parsed);
  process.stdout.write(`fake official API listening on ${fake.url}\n`);
  const shutdown = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`fake official API failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
