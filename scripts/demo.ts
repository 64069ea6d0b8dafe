/**
 * `npm run demo`: the gateway in front of the fake DeepSeek upstream, so any OpenAI client can try it
 * without a DeepSeek account. Nothing leaves this machine.
 *
 *   npm run demo                  friendly canned answers (with reasoning for deepseek-reasoner)
 *   npm run demo -- --echo        answers with the prompt itself
 *   PORT=9000 npm run demo        another port (default 8000); HOST=0.0.0.0 to listen beyond localhost
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';
import { ASSISTANT_MARKER, END_OF_SENTENCE, USER_MARKER } from '../src/chat/prompt';
import { InflightRegistry } from '../src/common/lifecycle/inflight-registry';
import { AppLogger } from '../src/common/logging/app-logger';
import { appConfig, type AppConfig } from '../src/config/app.config';
import { startFakeDeepSeek, type FakeDeepSeek, type ReplyRequest } from '../test/fake-deepseek';

const DEMO_TOKENS = ['demo-token-1', 'demo-token-2'];
const BEARER = DEMO_TOKENS.join(',');
const USAGE = `Usage: npm run demo [-- --echo]   (PORT, HOST, LOG_FORMAT, LOG_LEVEL from the environment)`;

/** The last user turn of the flattened prompt, shortened. */
function lastUserText(prompt: string): string {
  const turn = prompt.split(USER_MARKER).pop() ?? '';
  const text = turn.split(ASSISTANT_MARKER)[0].split(END_OF_SENTENCE).join('').trim().replace(/\s+/g, ' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function friendlyReply(request: ReplyRequest): { reasoning: string; content: string } {
  const said = lastUserText(request.prompt);
  return {
    reasoning: `The user wrote "${said}". This is the demo upstream, so a canned answer will do; no real model runs here.`,
    content:
      `Hello from the deepseek-web-gateway demo! You said: "${said}". ` +
      'This answer comes from the fake DeepSeek upstream that `npm run demo` starts, streamed through the real ' +
      'gateway: same routes, same SSE frames, same errors. Deploy the gateway with your own DeepSeek token to ' +
      'talk to the real model.',
  };
}

function instructions(url: string): string {
  return `
deepseek-web-gateway demo: the real gateway on ${url}, in front of a fake DeepSeek upstream (no account needed).
Demo tokens: ${BEARER}   (send them as the API key; each is one demo account)

  curl ${url}/v1/chat/completions \\
    -H 'Authorization: Bearer ${BEARER}' -H 'Content-Type: application/json' \\
    -d '{"model":"deepseek-chat","stream":true,"messages":[{"role":"user","content":"Hello!"}]}'

  // Node (npm i openai)
  import OpenAI from 'openai';
  const client = new OpenAI({ baseURL: '${url}/v1', apiKey: '${BEARER}' });
  const stream = await client.chat.completions.create({
    model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Hello!' }],
  });
  for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '');

  # Python (pip install openai)
  from openai import OpenAI
  client = OpenAI(base_url="${url}/v1", api_key="${BEARER}")
  print(client.chat.completions.create(model="deepseek-reasoner", messages=[{"role": "user", "content": "Hello!"}]).choices[0].message.content)

Also: ${url}/v1/models  ${url}/healthz  ${url}/readyz  ${url}/metrics
Ctrl-C stops both.
`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const unknown = args.filter((arg) => arg !== '--echo');
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(' ')}\n${USAGE}`);
  const echo = args.includes('--echo');

  const fake: FakeDeepSeek = await startFakeDeepSeek({
    accounts: DEMO_TOKENS,
    powDifficulty: 1000,
    firstByteDelayMs: 300,
    tokenDelayMs: 30,
    echo,
    replyFor: echo ? undefined : friendlyReply,
  });
  // The demo's own upstream and pass-through accounts, whatever the shell has set.
  for (const name of ['DEEPSEEK_TOKENS', 'DEEP_SEEK_CHAT_AUTHORIZATION', 'API_KEYS']) delete process.env[name];
  process.env.DEEPSEEK_BASE_URL = fake.url;
  process.env.HOST ??= '127.0.0.1';
  process.env.LOG_FORMAT ??= 'pretty';

  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule, {
      bufferLogs: true,
      forceCloseConnections: true,
      // As in main.ts: configureApp registers the one body parser (JSON, per-route limits).
      bodyParser: false,
    });
  } catch (error) {
    await fake.close();
    throw error;
  }
  const config = app.get<AppConfig>(appConfig.KEY);
  app.useLogger(app.get(AppLogger));
  configureApp(app);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    await app.close();
    await fake.close();
    throw error;
  }
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  process.stdout.write(instructions(`http://${shownHost}:${config.port}`));

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping the demo...\n');
    await app.get(InflightRegistry).drain(Math.min(config.shutdownGraceMs, 3000));
    await app.close();
    await fake.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
