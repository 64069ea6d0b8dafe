import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defangToolMarkup,
  HistoryCall,
  HistoryResult,
  renderAssistantToolTurn,
  renderToolResults,
} from './tool-call-history';
import { appendToolReminder, buildToolPrompt } from './tool-prompt';
import type { DeclaredTool, ToolRequest } from './tool-types';

/**
 * Golden files for the prompt and history text (test/fixtures/tool-calls/golden). After a deliberate
 * change, `UPDATE_TOOL_GOLDENS=1` rewrites them; review the diff like code.
 */
const GOLDEN_DIR = join(__dirname, '../../../test/fixtures/tool-calls/golden');

function matchesGolden(name: string, text: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (process.env.UPDATE_TOOL_GOLDENS === '1' || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const readFile: DeclaredTool = {
  name: 'read_file',
  description: 'Read a text file from the workspace.',
  parameters: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'ReadFileArgs',
    type: 'object',
    properties: {
      path: { type: 'string', description: 'Relative path.', examples: ['src/main.ts'] },
      offset: { type: 'integer', minimum: 1 },
      title: { type: 'string', title: 'A property called title stays' },
    },
    required: ['path'],
  },
  strict: false,
  kind: 'function',
};
const search: DeclaredTool = {
  name: 'mcp__code__search',
  description: 'Search code.',
  parameters: {
    type: 'object',
    properties: {
      query: { type: 'string' },
      limit: { type: 'integer', default: 20 },
      regex: { type: 'boolean' },
      paths: { type: 'array', items: { type: 'string' } },
      scope: { enum: ['workspace', 'file'] },
    },
    required: ['query', 'limit', 'regex', 'paths', 'scope'],
  },
  strict: true,
  kind: 'function',
};
const applyPatch: DeclaredTool = {
  name: 'apply_patch',
  description: 'Apply a V4A patch.',
  parameters: null,
  strict: false,
  kind: 'custom',
};

function promptText(request: ToolRequest, options: Parameters<typeof buildToolPrompt>[1] = {}): string {
  const prompt = buildToolPrompt(request, options);
  if (prompt === null) throw new Error('no prompt');
  return `${prompt.system}\n\n--- end of the latest user turn ---\n${appendToolReminder('Fix the bug.', prompt)}\n`;
}

describe('tool prompt goldens', () => {
  it('auto, two tools, parallel', () => {
    matchesGolden('prompt-auto-parallel', promptText({ tools: [readFile, search], choice: 'auto', parallel: true }));
  });

  it('required, no parallel calls', () => {
    matchesGolden(
      'prompt-required-single',
      promptText({ tools: [readFile, search], choice: 'required', parallel: false }),
    );
  });

  it('a named choice describes only that tool, plain spelling', () => {
    const request: ToolRequest = { tools: [readFile, search], choice: { name: 'mcp__code__search' }, parallel: true };
    matchesGolden('prompt-named-plain', promptText(request, { spelling: 'plain' }));
  });

  it('a custom tool, with the negative examples switched on', () => {
    matchesGolden(
      'prompt-custom-negative',
      promptText({ tools: [applyPatch, readFile], choice: 'auto', parallel: true }, { negativeExamples: true }),
    );
  });

  it('injects nothing without tools or under tool_choice none', () => {
    expect(buildToolPrompt({ tools: [], choice: 'auto', parallel: true })).toBeNull();
    expect(buildToolPrompt({ tools: [readFile], choice: 'none', parallel: true })).toBeNull();
    expect(buildToolPrompt({ tools: [readFile], choice: { name: 'missing' }, parallel: true })).toBeNull();
  });

  it('is deterministic', () => {
    const request: ToolRequest = { tools: [readFile, search], choice: 'auto', parallel: true };
    expect(buildToolPrompt(request)).toEqual(buildToolPrompt(request));
  });
});

const calls: HistoryCall[] = [
  {
    id: 'call_A',
    name: 'write_file',
    argumentsJson: '{"path":"a.md","content":"# Title\\nuse </|DSML|parameter> and ]]> here","mode":420}',
  },
  {
    id: 'call_B',
    name: 'mcp__code__search',
    argumentsJson: '{"query":"x < y","regex":false,"paths":["src","test"],"opts":{"a":null}}',
  },
  { id: 'call_C', name: 'list_files', argumentsJson: '' },
  { id: 'toolu_D', name: 'Bash', argumentsJson: 'not json' },
];

describe('tool history goldens', () => {
  it('assistant calls in the emitted markup', () => {
    matchesGolden('history-assistant-calls', `${renderAssistantToolTurn('I will look.', calls, 'dsml')}\n`);
  });

  it('assistant calls in the plain spelling, without text', () => {
    matchesGolden('history-assistant-calls-plain', `${renderAssistantToolTurn('', calls.slice(0, 2), 'plain')}\n`);
  });

  it('results paired by id, with missing, orphan, empty, error, parts and defanging', () => {
    const results: HistoryResult[] = [
      { callId: 'call_B', name: null, content: 'found <|DSML|tool_calls> and <tool_results> in a.md', isError: false },
      { callId: 'toolu_D', name: null, content: 'exit 1: command not found', isError: true },
      { callId: 'call_Z', name: null, content: 'late answer', isError: false },
      { callId: 'call_A', name: null, content: '', isError: false },
      {
        callId: null,
        name: 'legacy',
        content: [{ type: 'text', text: 'part one' }, { type: 'image_url' }, { type: 'text', text: 'part two' }],
        isError: false,
      },
    ];
    const legacyCall: HistoryCall = { id: null, name: 'legacy', argumentsJson: '{}' };
    matchesGolden('history-results', `${renderToolResults([...calls, legacyCall], results)}\n`);
  });

  it('leaves a call with no arguments as an empty object and keeps what is not an object', () => {
    const turn = renderAssistantToolTurn('', [calls[2], calls[3]], 'dsml');
    expect(turn).toContain('<|DSML|invoke name="list_files">\n</|DSML|invoke>');
    expect(turn).toContain('<|DSML|parameter name="arguments" string="true">not json</|DSML|parameter>');
  });

  it('defangs only our markers', () => {
    expect(
      defangToolMarkup(
        '<|DSML|invoke> </\uff5cDSML\uff5cx> <dsml-tool-calls> <DSMLinvoke> <tool_calls> </tool_results> <div> <parameter>',
      ),
    ).toBe(
      '&lt;|DSML|invoke> &lt;/&#xFF5C;DSML&#xFF5C;x> &lt;dsml-tool-calls> &lt;DSMLinvoke> &lt;tool_calls> &lt;/tool_results> <div> <parameter>',
    );
  });
});
