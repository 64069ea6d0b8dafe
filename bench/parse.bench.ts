/**
 * Throughput of the upstream stream parser: frames (SSE events) per second on the longest shared
 * capture, fed repeatedly in realistic chunk sizes, per CPU-second of one thread. `--compare` also runs the
 * alternatives the framing was chosen against, each in its own process so JIT state is not shared.
 *
 *   npx ts-node --transpile-only bench/parse.bench.ts [--compare] [--trials=5] [--seconds=0.5]
 *
 * Needs ../shared (the captures); without it, says so and exits 0.
 */
import { createParser } from 'eventsource-parser';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { DeepSeekEvent } from '../src/deepseek/stream/deepseek-event';
import type { ParserLogger } from '../src/deepseek/stream/parser-logger';
import { SseFramer } from '../src/deepseek/stream/sse-framer';
import { StreamEventDecoder } from '../src/deepseek/stream/stream-event-decoder';
import { UpstreamStreamParser } from '../src/deepseek/stream/upstream-stream-parser';

const CAPTURES_DIR = resolve(__dirname, '..', '..', 'shared', 'fixtures', 'deepseek-captures');
/** About one live event per read, a few events per read, and a socket's 16 KiB / 64 KiB reads. */
const CHUNK_SIZES = [128, 1024, 16 * 1024, 64 * 1024];
const TRIALS = Number(option('trials') ?? 5);
const SECONDS = Number(option('seconds') ?? 0.5);
const silent: ParserLogger = { debug: () => undefined, warn: () => undefined };
/** Events escape into here, as they would into a real consumer, so the JIT cannot optimise them away. */
const sink: { last: DeepSeekEvent | null; count: number } = { last: null, count: 0 };
const consume = (event: DeepSeekEvent): void => {
  sink.last = event;
  sink.count++;
};

/** Feeds one message (its HTTP bodies, a continue round between them) once. */
type Pipeline = (bodies: Buffer[][]) => void;

const PIPELINES: Record<string, Pipeline> = {
  parser: (bodies) => {
    const parser = new UpstreamStreamParser(consume, { logger: silent });
    bodies.forEach((chunks, round) => {
      if (round > 0) parser.beginContinueRound();
      for (const chunk of chunks) parser.write(chunk);
      parser.end();
    });
  },
  'parser on eventsource-parser': (bodies) => {
    const decoder = new StreamEventDecoder(consume, silent);
    bodies.forEach((chunks, round) => {
      if (round > 0) decoder.beginContinueRound();
      feedEventsourceParser(chunks, (event, data) => decoder.handle(event, data));
      decoder.endBody();
    });
  },
  'framing only: SseFramer': (bodies) => {
    for (const chunks of bodies) {
      const framer = new SseFramer(() => undefined);
      for (const chunk of chunks) framer.write(chunk);
      framer.end();
    }
  },
  'framing only: eventsource-parser': (bodies) => {
    for (const chunks of bodies) feedEventsourceParser(chunks, () => undefined);
  },
};

interface Row {
  pipeline: string;
  chunk: number;
  'frames/s best': number;
  'frames/s median': number;
  'MB/s best': number;
}

function main(): void {
  if (!existsSync(CAPTURES_DIR)) {
    console.log(`parse bench skipped: ${CAPTURES_DIR} is absent (it ships beside the repo as ../shared).`);
    return;
  }
  const only = option('pipeline');
  if (only !== undefined) {
    process.stdout.write(JSON.stringify(run(only)));
    return;
  }
  const names = process.argv.includes('--compare') ? Object.keys(PIPELINES) : ['parser'];
  const rows = names.length === 1 ? run(names[0]) : names.flatMap((name) => runInChild(name));
  const { capture, bodies, frames, bytes } = loadCapture();
  console.log(`capture: ${capture}`);
  console.log(`${bodies.length} bodies, ${bytes} bytes, ${frames} frames per pass; ${TRIALS} trials of ${SECONDS}s`);
  console.log(`node ${process.version}; frames/s = SSE events decoded per CPU-second of one thread`);
  console.table(rows);
  console.log(JSON.stringify({ bench: 'parse', capture: capture.split('/').slice(-2)[0], frames, bytes, rows }));
}

function run(name: string): Row[] {
  const pipeline = PIPELINES[name];
  if (pipeline === undefined) throw new Error(`unknown pipeline ${name}`);
  const { bodies, frames, bytes } = loadCapture();
  return CHUNK_SIZES.map((size) => {
    const chunked = bodies.map((body) => chunk(body, size));
    const rates = measure(() => pipeline(chunked)).sort((a, b) => a - b);
    const best = rates[rates.length - 1];
    return {
      pipeline: name,
      chunk: size,
      'frames/s best': Math.round(frames * best),
      'frames/s median': Math.round(frames * rates[rates.length >> 1]),
      'MB/s best': Number(((bytes * best) / 1e6).toFixed(1)),
    };
  });
}

/** A fresh process per pipeline keeps the JIT's type feedback from one polluting the next. */
function runInChild(name: string): Row[] {
  const args = ['-r', 'ts-node/register/transpile-only', __filename, `--pipeline=${name}`];
  const child = spawnSync(process.execPath, [...args, `--trials=${TRIALS}`, `--seconds=${SECONDS}`], {
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  if (child.status !== 0) throw new Error(`pipeline ${name} failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as Row[];
}

/**
 * Passes per CPU-second in each trial, after a warm-up. CPU time of this process rather than wall
 * time, so other processes on a shared machine do not count against the parser.
 */
function measure(pass: () => void): number[] {
  const warmUpEnd = cpuMs() + 300;
  while (cpuMs() < warmUpEnd) pass();
  const rates: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    let passes = 0;
    const start = cpuMs();
    let elapsed = 0;
    while (elapsed < SECONDS * 1000) {
      pass();
      passes++;
      elapsed = cpuMs() - start;
    }
    rates.push((passes * 1000) / elapsed);
  }
  return rates;
}

function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

function loadCapture(): { capture: string; bodies: Buffer[]; frames: number; bytes: number } {
  const capture = readdirSync(CAPTURES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(CAPTURES_DIR, entry.name, 'upstream.stream.sse'))
    .filter((file) => existsSync(file))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  const bodies = splitBodies(readFileSync(capture));
  let frames = 0;
  for (const body of bodies) {
    const framer = new SseFramer(() => frames++);
    framer.write(body);
    framer.end();
  }
  return { capture, bodies, frames, bytes: bodies.reduce((sum, body) => sum + body.length, 0) };
}

/** The continue capture holds two HTTP bodies; each later one starts at an `event: ready` line. */
function splitBodies(file: Buffer): Buffer[] {
  const bodies: Buffer[] = [];
  let start = 0;
  for (let at = file.indexOf('\nevent: ready', 1); at !== -1; at = file.indexOf('\nevent: ready', at + 1)) {
    bodies.push(file.subarray(start, at + 1));
    start = at + 1;
  }
  bodies.push(file.subarray(start));
  return bodies;
}

function chunk(body: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) chunks.push(body.subarray(at, at + size));
  return chunks;
}

/** eventsource-parser takes strings and never dispatches an event left open at EOF, hence the "\n\n". */
function feedEventsourceParser(chunks: Buffer[], onEvent: (event: string, data: string) => void): void {
  const text = new StringDecoder('utf8');
  const sse = createParser({ onEvent: (event) => onEvent(event.event ?? 'message', event.data) });
  for (const chunk of chunks) sse.feed(text.write(chunk));
  sse.feed(`${text.end()}\n\n`);
}

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

main();
