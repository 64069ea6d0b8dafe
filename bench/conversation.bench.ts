/**
 * Native multi-turn, side by side in one run: two gateways on the same fake upstream, one with
 * `CONVERSATION_REUSE=on` (the default), one with `off`, each playing the same two conversations the way
 * OpenAI clients do (the whole history on every turn, through the `openai` SDK, streaming):
 *
 * - chat: 20 turns, each user message about 2 KB, answers about 1 KB;
 * - agent: a 10-step tool loop (the fake calls a tool each step), each tool result about 8 KB.
 *
 * Per turn: the prompt bytes that reached the upstream, and the time to the first content token as
 * the client saw it; per conversation: upstream chats created. The fake does not model the upstream's
 * own prompt processing, which grows with the prompt: the byte figures are the ones that carry over.
 *
 *   npm run bench:conversation [-- --turns=20 --steps=10]
 */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { startFakeDeepSeek, type FakeDeepSeek } from '../test/fake-deepseek';
import { toolLoopModel } from '../test/fake-deepseek/tool-model';
import { startTestApp, type TestApp } from '../test/utils/test-app';
import { summarize } from './common/stats';

const TOKEN = 'tok-bench-conversation';
const argument = (name: string, fallback: number) =>
  Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const TURNS = argument('turns', 20);
const STEPS = argument('steps', 10);
const USER_TEXT = 'Tell me more about the next chapter of this long story, with details. '.repeat(29); // ~2 KB
const ANSWER = 'The story goes on with many details about the places and the people. '.repeat(15); // ~1 KB
const TOOL_RESULT = 'line of a file that the agent read in this step\n'.repeat(170); // ~8 KB

interface Turn {
  promptBytes: number;
  firstTokenMs: number;
}

interface Run {
  turns: Turn[];
  chats: number;
}

async function streamTurn(client: OpenAI, messages: ChatCompletionMessageParam[], tools?: ChatCompletionTool[]) {
  const started = performance.now();
  let firstTokenMs = NaN;
  const stream = client.chat.completions.stream({ model: 'deepseek-chat', messages, tools });
  stream.on(
    'content.delta',
    () => (firstTokenMs = Number.isNaN(firstTokenMs) ? performance.now() - started : firstTokenMs),
  );
  stream.on('tool_calls.function.arguments.done', () => {
    if (Number.isNaN(firstTokenMs)) firstTokenMs = performance.now() - started;
  });
  const completion = await stream.finalChatCompletion();
  return { message: completion.choices[0].message, firstTokenMs };
}

function newTurns(fake: FakeDeepSeek, before: number): number[] {
  const all = Object.values(fake.state().sessions)
    .flatMap((session) => session.messages)
    .sort((a, b) => a.startedAt - b.startedAt);
  return all.slice(before).map((message) => Buffer.byteLength(message.prompt));
}

async function playChat(fake: FakeDeepSeek, client: OpenAI): Promise<Run> {
  fake.reset();
  fake.configure({ reply: { content: ANSWER } });
  const history: ChatCompletionMessageParam[] = [{ role: 'system', content: 'You are a storyteller.' }];
  const firstTokens: number[] = [];
  for (let i = 0; i < TURNS; i++) {
    history.push({ role: 'user', content: `${i}: ${USER_TEXT}` });
    const { message, firstTokenMs } = await streamTurn(client, history);
    history.push({ role: 'assistant', content: message.content });
    firstTokens.push(firstTokenMs);
  }
  return collect(fake, firstTokens);
}

const TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'read_file',
      description: 'Read a file',
      parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    },
  },
];

async function playAgent(fake: FakeDeepSeek, client: OpenAI): Promise<Run> {
  fake.reset();
  const steps = Array.from({ length: STEPS }, (_, i) => [{ name: 'read_file', args: { path: `src/file-${i}.ts` } }]);
  fake.configure({ replyFor: toolLoopModel([...steps, 'Done.']) });
  const history: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Read the files one by one.' }];
  const firstTokens: number[] = [];
  for (let i = 0; i <= STEPS; i++) {
    const { message, firstTokenMs } = await streamTurn(client, history, TOOLS);
    firstTokens.push(firstTokenMs);
    history.push({ role: 'assistant', content: message.content, tool_calls: message.tool_calls });
    for (const call of message.tool_calls ?? []) {
      history.push({ role: 'tool', tool_call_id: call.id, content: `${i}\n${TOOL_RESULT}` });
    }
    if (!message.tool_calls?.length) break;
  }
  return collect(fake, firstTokens);
}

function collect(fake: FakeDeepSeek, firstTokens: number[]): Run {
  const bytes = newTurns(fake, 0);
  return {
    turns: bytes.map((promptBytes, i) => ({ promptBytes, firstTokenMs: firstTokens[i] })),
    chats: Object.keys(fake.state().sessions).length,
  };
}

function report(name: string, reuse: Run, full: Run): void {
  const pad = (value: string | number, width = 12) => String(value).padStart(width);
  console.log(`\n${name}: prompt bytes and first token per turn (reuse on | off)`);
  console.log(
    `${pad('turn', 6)}${pad('bytes on')}${pad('bytes off')}${pad('on/off', 9)}${pad('ttft on ms')}${pad('ttft off ms')}`,
  );
  reuse.turns.forEach((turn, i) => {
    const other = full.turns[i];
    console.log(
      `${pad(i + 1, 6)}${pad(turn.promptBytes)}${pad(other.promptBytes)}${pad((turn.promptBytes / other.promptBytes).toFixed(3), 9)}` +
        `${pad(turn.firstTokenMs.toFixed(1))}${pad(other.firstTokenMs.toFixed(1))}`,
    );
  });
  const total = (run: Run) => run.turns.reduce((sum, turn) => sum + turn.promptBytes, 0);
  const last = (run: Run) => run.turns.at(-1)?.promptBytes ?? 0;
  const ttft = (run: Run) => summarize(run.turns.slice(1).map((turn) => turn.firstTokenMs));
  console.log(
    `  total prompt bytes: ${total(reuse)} on, ${total(full)} off (×${(total(reuse) / total(full)).toFixed(3)}); ` +
      `last turn: ${last(reuse)} on, ${last(full)} off; upstream chats: ${reuse.chats} on, ${full.chats} off`,
  );
  console.log(
    `  first token after turn 1, p50 / p90: ${ttft(reuse).p50.toFixed(1)} / ${ttft(reuse).p90.toFixed(1)} ms on, ` +
      `${ttft(full).p50.toFixed(1)} / ${ttft(full).p90.toFixed(1)} ms off`,
  );
}

async function main(): Promise<void> {
  const fake = await startFakeDeepSeek({ accounts: [TOKEN], powDifficulty: 1000, tokenDelayMs: 0, charsPerFrame: 64 });
  const gateways: TestApp[] = [];
  try {
    const start = async (reuse: 'on' | 'off') => {
      const app = await startTestApp({ DEEPSEEK_BASE_URL: fake.url, CONVERSATION_REUSE: reuse, LOG_LEVEL: 'warn' });
      gateways.push(app);
      return new OpenAI({ baseURL: `${app.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    };
    const [on, off] = [await start('on'), await start('off')];
    console.log(`conversation benchmark: chat ${TURNS} turns, agent ${STEPS} steps; node ${process.version}`);
    // Warm both up (JIT, PoW workers, sockets) so that neither pays for it in the figures.
    for (const client of [on, off]) await streamTurn(client, [{ role: 'user', content: 'warm up' }]);
    const chatOff = await playChat(fake, off);
    const chatOn = await playChat(fake, on);
    report('chat', chatOn, chatOff);
    const agentOff = await playAgent(fake, off);
    const agentOn = await playAgent(fake, on);
    report('agent', agentOn, agentOff);
  } finally {
    for (const app of gateways) await app.close();
    await fake.close();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
