import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ToolCallTransform } from './tool-call-transform';
import { CALL_ID_PATTERN } from './tool-ids';
import type { MarkupEvent } from './tool-markup-events';
import { ToolMarkupParser } from './tool-markup-parser';
import { TAG_LOOKAHEAD } from './tool-markup-tags';
import { ToolSchemaValidator } from './tool-schema-validator';
import type { DeclaredTool, ToolChoice, ToolStageOutput, UpstreamEnd } from './tool-types';

/**
 * Replays every fixture of test/fixtures/tool-calls through the tool stage, whole and split every way
 * (one character per call, every split point, seeded random splits, UTF-8 byte splits), and checks the
 * expectations and the streaming invariants.
 */

const FIXTURE_DIR = join(__dirname, '../../../test/fixtures/tool-calls');
/** Above this length, every split point is sampled instead (near each `<` and evenly spaced). */
const EXHAUSTIVE_SPLIT_LIMIT = 2500;

interface ExpectedCall {
  name: string;
  arguments: unknown;
}

interface Fixture {
  description: string;
  tools: readonly Partial<DeclaredTool>[];
  tool_choice: ToolChoice;
  parallel: boolean;
  content_text: string;
  reprompt_reply_text?: string;
  reasoning_text?: string;
  upstream_status: UpstreamEnd;
  options?: { max_block_chars?: number; reprompt_available?: boolean };
  markup_in_content?: boolean;
  expect: {
    content: string;
    calls: ExpectedCall[];
    finish: string | null;
    reprompt: string | null;
    dropped_after_block: boolean;
    reasoning?: string;
  };
}

type Split = (text: string) => string[];

/** `{"$repeat": s, "times": n}` and `{"$concat": [...]}` keep big fixtures small on disk. */
function expand(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(expand);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (typeof record.$repeat === 'string') return record.$repeat.repeat(record.times as number);
  if (Array.isArray(record.$concat)) return record.$concat.map((part) => expand(part) as string).join('');
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, expand(inner)]));
}

const toolsets = JSON.parse(readFileSync(join(FIXTURE_DIR, '_toolsets.json'), 'utf8')) as Record<
  string,
  Partial<DeclaredTool>[]
>;

function loadFixture(file: string): Fixture {
  const raw = expand(JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8'))) as Fixture & { tools: unknown };
  const tools = typeof raw.tools === 'string' ? toolsets[raw.tools] : (raw.tools as Partial<DeclaredTool>[]);
  return { ...raw, tools };
}

function declaredTools(fixture: Fixture): DeclaredTool[] {
  return fixture.tools.map((tool) => ({
    name: tool.name ?? '',
    description: tool.description ?? null,
    parameters: tool.parameters ?? null,
    strict: tool.strict ?? false,
    kind: tool.kind ?? 'function',
  }));
}

function replay(fixture: Fixture, split: Split, validator: ToolSchemaValidator): ToolStageOutput[] {
  const transform = new ToolCallTransform(
    { tools: declaredTools(fixture), choice: fixture.tool_choice, parallel: fixture.parallel },
    {
      maxBlockChars: fixture.options?.max_block_chars,
      repromptAvailable: fixture.options?.reprompt_available,
      validator,
    },
  );
  const outputs: ToolStageOutput[] = [];
  const emit = (output: ToolStageOutput): number => outputs.push(output);
  const rounds = [fixture.content_text, fixture.reprompt_reply_text];
  for (let round = 0; round < rounds.length; round++) {
    const text = rounds[round];
    if (text === undefined) break;
    const start = outputs.length;
    for (const chunk of split(text)) transform.pushContent(chunk, emit);
    const reprompted = (): boolean => outputs.slice(start).some((output) => output.type === 'repromptNeeded');
    if (!reprompted()) {
      const status = round === 0 ? fixture.upstream_status : 'FINISHED';
      transform.end(status, round === 0 ? (fixture.reasoning_text ?? '') : '', emit);
    }
    if (!reprompted()) break;
    transform.beginRepromptRound();
  }
  return outputs;
}

/** Outputs modulo fragmentation: adjacent text merged, ids and notice details left out. */
function normalise(outputs: readonly ToolStageOutput[]): unknown[] {
  const normalised: unknown[] = [];
  for (const output of outputs) {
    const last = normalised.at(-1) as { type: string; text: string } | undefined;
    if (output.type === 'text' && last?.type === 'text') last.text += output.text;
    else if (output.type === 'text') normalised.push({ ...output });
    else if (output.type === 'toolCall') normalised.push({ ...output, id: 'ID' });
    else if (output.type === 'notice') normalised.push({ type: 'notice', kind: output.kind });
    else normalised.push(output);
  }
  return normalised;
}

const MARKER = /<\/?\s*(?:[|\uff5c]+\s*dsml|dsml)|<\/?(?:tool_calls|function_calls)\b|<\/?invoke\b/i;

function checkInvariants(fixture: Fixture, outputs: readonly ToolStageOutput[]): void {
  const ids = outputs.flatMap((output) => (output.type === 'toolCall' ? [output.id] : []));
  for (const id of ids) expect(id).toMatch(CALL_ID_PATTERN);
  expect(new Set(ids).size).toBe(ids.length);
  const firstCall = outputs.findIndex((output) => output.type === 'toolCall');
  if (firstCall >= 0) expect(outputs.slice(firstCall).filter((output) => output.type === 'text')).toEqual([]);
  const texts = outputs.flatMap((output) => (output.type === 'text' ? [output.text] : []));
  for (const text of texts) expect(/[\ud800-\udbff]$|^[\udc00-\udfff]/.test(text)).toBe(false);
  if (!fixture.markup_in_content) expect(texts.join('')).not.toMatch(MARKER);
}

/** The parser alone: bounded hold-back, and text that cannot start a marker leaves in the same call. */
function checkHoldBack(text: string, chunks: readonly string[]): void {
  const parser = new ToolMarkupParser();
  let pushed = '';
  let released = '';
  let onlyText = true;
  const collect = (event: MarkupEvent): void => {
    if (event.type === 'text') released += event.text;
    else onlyText = false;
  };
  for (const chunk of chunks) {
    parser.push(chunk, collect);
    pushed += chunk;
    const { mode, held, candidateOpen } = parser.holdState();
    if (mode !== 'text' || candidateOpen) continue;
    const loneHighSurrogate = held.length === 1 && /[\ud800-\udbff]/.test(held);
    expect(held.length).toBeLessThanOrEqual(TAG_LOOKAHEAD);
    expect(held === '' || held.startsWith('<') || loneHighSurrogate).toBe(true);
    if (onlyText) expect(released + held).toBe(pushed);
  }
  parser.end(collect);
  if (onlyText) expect(released).toBe(text);
}

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cutAt(text: string, points: readonly number[]): string[] {
  const sorted = [...new Set(points)].filter((point) => point > 0 && point < text.length).sort((a, b) => a - b);
  const chunks: string[] = [];
  let last = 0;
  for (const point of sorted) {
    chunks.push(text.slice(last, point));
    last = point;
  }
  chunks.push(text.slice(last));
  return chunks;
}

function splitPoints(text: string): number[] {
  if (text.length <= EXHAUSTIVE_SPLIT_LIMIT) {
    return Array.from({ length: Math.max(0, text.length - 1) }, (_, i) => i + 1);
  }
  const points = new Set<number>();
  for (let i = 0; i < 300; i++) points.add(Math.floor(((i + 1) * text.length) / 301));
  const tags: number[] = [];
  for (let at = text.indexOf('<'); at >= 0; at = text.indexOf('<', at + 1)) tags.push(at);
  const step = Math.max(1, Math.ceil(tags.length / 40));
  const sampled = tags.filter((_, i) => i < 8 || i >= tags.length - 8 || i % step === 0);
  for (const at of sampled) for (let d = -2; d <= 24; d++) points.add(at + d);
  return [...points].filter((point) => point > 0 && point < text.length);
}

/** Splits of the UTF-8 bytes, decoded as a stream decoder would: the decoder keeps split characters whole. */
function byteSplit(random: () => number): Split {
  return (text) => {
    const bytes = new TextEncoder().encode(text);
    const decoder = new TextDecoder('utf-8');
    const cuts = Array.from({ length: 1 + Math.floor(random() * 12) }, () => Math.floor(random() * bytes.length));
    const sorted = [...new Set([0, ...cuts, bytes.length])].sort((a, b) => a - b);
    const chunks: string[] = [];
    for (let i = 1; i < sorted.length; i++) {
      chunks.push(decoder.decode(bytes.subarray(sorted[i - 1], sorted[i]), { stream: true }));
    }
    chunks.push(decoder.decode());
    return chunks.filter((chunk) => chunk.length > 0);
  };
}

function splitsFor(fixture: Fixture): [string, Split][] {
  const random = seededRandom(fixture.content_text.length * 7919 + 17);
  const splits: [string, Split][] = [
    ['one character per call', (text) => Array.from({ length: text.length }, (_, i) => text[i])],
  ];
  for (const point of splitPoints(fixture.content_text)) {
    splits.push([`split at ${point}`, (text) => cutAt(text, [point])]);
  }
  for (let run = 0; run < 200; run++) {
    const k = 2 + Math.floor(random() * 10);
    const seed = Math.floor(random() * 2 ** 31);
    splits.push([
      `random ${k}-split #${run}`,
      (text) => {
        const local = seededRandom(seed);
        return cutAt(
          text,
          Array.from({ length: k - 1 }, () => Math.floor(local() * text.length)),
        );
      },
    ]);
  }
  for (let run = 0; run < 20; run++) splits.push([`byte split #${run}`, byteSplit(seededRandom(run + 1))]);
  return splits;
}

const files = readdirSync(FIXTURE_DIR).filter((file) => file.endsWith('.json') && !file.startsWith('_'));

describe('tool-call fixtures', () => {
  it('has the fixture set', () => {
    expect(files.length).toBeGreaterThanOrEqual(90);
  });

  describe.each(files)('%s', (file) => {
    const fixture = loadFixture(file);
    const validator = new ToolSchemaValidator();
    const whole = replay(fixture, (text) => [text], validator);

    it('meets its expectations when read whole', () => {
      const calls = whole.flatMap((output) =>
        output.type === 'toolCall'
          ? [{ name: output.name, arguments: JSON.parse(output.argumentsJson) as unknown }]
          : [],
      );
      const end = whole.find((output) => output.type === 'end');
      const reprompt = whole.find((output) => output.type === 'repromptNeeded');
      const replaced = whole.findLast((output) => output.type === 'reasoningReplaced');
      expect(whole.flatMap((output) => (output.type === 'text' ? [output.text] : [])).join('')).toBe(
        fixture.expect.content,
      );
      expect(calls).toEqual(fixture.expect.calls);
      expect(end?.finish ?? null).toBe(fixture.expect.finish);
      expect(reprompt?.reason ?? null).toBe(fixture.expect.reprompt);
      expect(whole.some((output) => output.type === 'notice' && output.kind === 'trailing_text_dropped')).toBe(
        fixture.expect.dropped_after_block,
      );
      if (fixture.expect.reasoning !== undefined) {
        expect(replaced?.reasoning ?? fixture.reasoning_text).toBe(fixture.expect.reasoning);
      }
      for (const output of whole) if (output.type === 'toolCall') expect(output.argumentsJson).not.toBe('');
      checkInvariants(fixture, whole);
    });

    it('gives the same events however the text is split', () => {
      const expected = normalise(whole);
      for (const [name, split] of splitsFor(fixture)) {
        const outputs = replay(fixture, split, validator);
        expect({ split: name, events: normalise(outputs) }).toEqual({ split: name, events: expected });
        checkInvariants(fixture, outputs);
      }
    });

    it('holds back only a tail that could open a tag', () => {
      for (const [, split] of splitsFor(fixture).slice(0, 60)) {
        checkHoldBack(fixture.content_text, split(fixture.content_text));
      }
    });
  });
});
