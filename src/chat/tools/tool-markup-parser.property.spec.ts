import fc from 'fast-check';
import { ToolCallTransform } from './tool-call-transform';
import type { MarkupEvent } from './tool-markup-events';
import { ToolMarkupParser } from './tool-markup-parser';
import { TAG_LOOKAHEAD } from './tool-markup-tags';
import { ToolSchemaValidator } from './tool-schema-validator';
import type { ToolRequest, ToolStageOutput } from './tool-types';

/** Fragments that make up markup, near-markup, code and prose, so random texts hit the parser's edges. */
const FRAGMENTS = [
  '<',
  '>',
  '</',
  '|DSML|',
  '\uff5cDSML\uff5c',
  'DSML',
  'tool_calls',
  'function_calls',
  'invoke',
  'parameter',
  ' name="read_file"',
  ' name="path"',
  ' string="true"',
  ' string="false"',
  '<![CDATA[',
  ']]>',
  '```',
  '~~~',
  '`',
  '\n',
  ' ',
  'text',
  '42',
  '"quoted"',
  '{"a":1}',
  '\ud83d\ude00',
  '\u4e2d',
  '/',
  '|',
  '<|DSML|tool_calls>',
  '</|DSML|tool_calls>',
  '<|DSML|invoke name="read_file">',
  '</|DSML|invoke>',
  '<|DSML|parameter name="path" string="true">',
  '</|DSML|parameter>',
];

const request: ToolRequest = {
  tools: [
    {
      name: 'read_file',
      description: null,
      parameters: { type: 'object', properties: { path: { type: 'string' } } },
      strict: false,
      kind: 'function',
    },
  ],
  choice: 'auto',
  parallel: true,
};
const validator = new ToolSchemaValidator();

const markupText = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((parts) => parts.join(''));

function cut(text: string, points: readonly number[]): string[] {
  const sorted = [...new Set(points.map((point) => point % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let last = 0;
  for (const point of sorted) {
    chunks.push(text.slice(last, point));
    last = point;
  }
  chunks.push(text.slice(last));
  return chunks;
}

function run(chunks: readonly string[]): unknown[] {
  const transform = new ToolCallTransform(request, { validator, newId: () => 'call_x', repromptAvailable: false });
  const outputs: ToolStageOutput[] = [];
  const emit = (output: ToolStageOutput): number => outputs.push(output);
  for (const chunk of chunks) transform.pushContent(chunk, emit);
  transform.end('FINISHED', '', emit);
  const merged: unknown[] = [];
  for (const output of outputs) {
    const last = merged.at(-1) as { type: string; text: string } | undefined;
    if (output.type === 'text' && last?.type === 'text') last.text += output.text;
    else if (output.type === 'notice') merged.push({ type: 'notice', kind: output.kind });
    else merged.push({ ...output });
  }
  return merged;
}

describe('tool markup parser properties', () => {
  it('gives the same outputs however a text is split', () => {
    fc.assert(
      fc.property(markupText, fc.array(fc.nat(), { maxLength: 8 }), (text, points) => {
        expect(run(cut(text, points))).toEqual(run([text]));
      }),
      { numRuns: 1500, seed: 20261203 },
    );
  });

  it('never lets text follow a call', () => {
    fc.assert(
      fc.property(markupText, fc.array(fc.nat(), { maxLength: 8 }), (text, points) => {
        const outputs = run(cut(text, points)) as { type: string }[];
        const firstCall = outputs.findIndex((output) => output.type === 'toolCall');
        if (firstCall >= 0) expect(outputs.slice(firstCall).some((output) => output.type === 'text')).toBe(false);
      }),
      { numRuns: 1000, seed: 7 },
    );
  });

  it('releases text without < in the call that brought it', () => {
    const prose = fc.string({ unit: 'grapheme', maxLength: 200 }).map((text) => `x${text.replaceAll('<', '')}`);
    fc.assert(
      fc.property(fc.array(prose, { minLength: 1, maxLength: 6 }), (chunks) => {
        const parser = new ToolMarkupParser();
        let released = '';
        const collect = (event: MarkupEvent): void => {
          if (event.type === 'text') released += event.text;
        };
        let pushed = '';
        for (const chunk of chunks) {
          parser.push(chunk, collect);
          pushed += chunk;
          expect(released).toBe(pushed);
        }
      }),
      { numRuns: 500, seed: 11 },
    );
  });

  it('holds back at most the look-ahead while no tag is open', () => {
    fc.assert(
      fc.property(markupText, fc.array(fc.nat(), { maxLength: 8 }), (text, points) => {
        const parser = new ToolMarkupParser();
        for (const chunk of cut(text, points)) {
          parser.push(chunk, () => undefined);
          const { mode, held, candidateOpen } = parser.holdState();
          if (mode === 'text' && !candidateOpen) expect(held.length).toBeLessThanOrEqual(TAG_LOOKAHEAD);
        }
      }),
      { numRuns: 1000, seed: 3 },
    );
  });
});
