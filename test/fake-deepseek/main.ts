import { parseCliArgs, USAGE } from './cli-args';
import { startFakeDeepSeek } from './server';

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fake = await startFakeDeepSeek(parsed.options);
  const accounts = Object.keys(fake.state().accounts).length;
  process.stdout.write(
    `fake DeepSeek upstream listening on ${fake.url} (format ${fake.config.format}, ${accounts} account(s), ` +
      `PoW difficulty ${fake.config.powDifficulty}; control API at ${fake.url}/__fake__/state)\n`,
  );
  const shutdown = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`fake DeepSeek upstream failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
