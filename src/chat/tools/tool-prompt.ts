import { exampleInvoke } from './tool-prompt-example';
import { renderToolCallsBlock, wrapperCloser, wrapperOpener } from './tool-markup-writer';
import { withoutKeywords } from './tool-schema-keywords';
import type { DeclaredTool, MarkupSpelling, ToolRequest } from './tool-types';

export interface ToolPromptOptions {
  spelling?: MarkupSpelling;
  /** Adds the forms that are never run (off by default: they cost tokens and help little). */
  negativeExamples?: boolean;
}

export interface ToolPrompt {
  /** The `## Tools` and `## Calling tools` sections, for the system part after the client's own text. */
  system: string;
  /** One line for the end of the latest user turn. */
  reminder: string;
}

/** Shown to the model without these: they describe the schema, not the arguments. */
const PROMPT_DROPPED_KEYWORDS = new Set(['$schema', 'title', 'examples']);
const READ_LIKE_TOOL = /(^|[_\-.:\s])(read|view|cat|open)([_\-.:\s]|$)|^read|read_?file/i;

/** The tools the model is told about: a named `tool_choice` narrows them to that one. */
export function promptedTools(request: ToolRequest): readonly DeclaredTool[] {
  const choice = request.choice;
  if (typeof choice !== 'object') return request.tools;
  return request.tools.filter((tool) => tool.name === choice.name);
}

function toolSection(tool: DeclaredTool): string {
  const lines = [`### ${tool.name}`];
  if (tool.description !== null && tool.description.trim() !== '') lines.push(tool.description.trim());
  if (tool.kind === 'custom') {
    lines.push('Parameters: one raw-text parameter, `input` (write it with string="true").');
  } else {
    const schema = withoutKeywords(tool.parameters ?? { type: 'object', properties: {} }, PROMPT_DROPPED_KEYWORDS);
    lines.push(`Parameters (JSON Schema): ${JSON.stringify(schema)}`);
  }
  return lines.join('\n');
}

function skeleton(spelling: MarkupSpelling): string {
  const bar = spelling === 'dsml' ? '|DSML|' : '';
  return [
    wrapperOpener(spelling),
    `<${bar}invoke name="TOOL_NAME">`,
    `<${bar}parameter name="PARAMETER_NAME" string="true">raw text, no escaping</${bar}parameter>`,
    `<${bar}parameter name="PARAMETER_NAME" string="false">JSON value</${bar}parameter>`,
    `</${bar}invoke>`,
    wrapperCloser(spelling),
  ].join('\n');
}

function rules(tools: readonly DeclaredTool[], spelling: MarkupSpelling, negative: boolean): string[] {
  const open = wrapperOpener(spelling);
  const close = wrapperCloser(spelling);
  const lines = [
    '1. Call only the tools listed above, with names exactly as written (case-sensitive, prefixes kept).',
    `2. Put every call of a reply in one ${open} block, one invoke per call.`,
    '3. Write string values with string="true" as raw text (no quotes, no escaping); write numbers, booleans, ' +
      'null, arrays and objects with string="false" as JSON.',
    '4. Never put the block in a code fence.',
    `5. Write nothing after ${close}: stop there and wait for the results.`,
    '6. Never write tool results yourself; they arrive in the next message inside <tool_results>.',
    '7. If no tool is needed, answer normally, without the block.',
  ];
  if (tools.some((tool) => READ_LIKE_TOOL.test(tool.name))) {
    lines.push(
      '8. A result that only says a file is unchanged or points to an earlier read has no content: read it again in full.',
    );
  }
  if (negative) {
    lines.push(
      'Never run, so never use: JSON such as {"name": …, "arguments": …}, <tool_use>, [function_calls], ' +
        '<function=…>, or a block inside a code fence.',
    );
  }
  return lines;
}

function choiceLines(request: ToolRequest): string[] {
  const lines: string[] = [];
  const choice = request.choice;
  if (typeof choice === 'object') lines.push(`You must call \`${choice.name}\` in this reply.`);
  else if (choice === 'required') lines.push('You must call at least one tool in this reply.');
  if (!request.parallel) lines.push('Use at most one invoke per reply.');
  return lines;
}

/**
 * The tool part of the prompt (docs/tool-calls.md, "Prompt template"), deterministic for a request;
 * null when there is nothing to inject (no tools, or `tool_choice: none`).
 */
export function buildToolPrompt(request: ToolRequest, options: ToolPromptOptions = {}): ToolPrompt | null {
  const tools = promptedTools(request);
  if (tools.length === 0 || request.choice === 'none') return null;
  const spelling = options.spelling ?? 'dsml';
  const sections = ['## Tools', ...tools.map(toolSection), '## Calling tools'];
  sections.push(`To call tools, reply with this block (capitals are placeholders):\n\n${skeleton(spelling)}`);
  sections.push(`Rules:\n${rules(tools, spelling, options.negativeExamples ?? false).join('\n')}`);
  sections.push(`Example:\n\n${renderToolCallsBlock([exampleInvoke(tools[0])], spelling)}`);
  if (tools.length >= 2 && request.parallel) {
    const pair = [exampleInvoke(tools[0]), exampleInvoke(tools[1])];
    sections.push(`Example with two calls in one reply:\n\n${renderToolCallsBlock(pair, spelling)}`);
  }
  const duties = choiceLines(request);
  if (duties.length > 0) sections.push(duties.join('\n'));
  return { system: sections.join('\n\n'), reminder: reminder(request, spelling) };
}

function reminder(request: ToolRequest, spelling: MarkupSpelling): string {
  const duties = choiceLines(request).join(' ');
  return `(To use tools, reply with one ${wrapperOpener(spelling)} block and nothing after it.${duties ? ` ${duties}` : ''})`;
}

/** The latest user turn with the reminder at its end, where the model heeds instructions best. */
export function appendToolReminder(userText: string, prompt: ToolPrompt): string {
  return userText === '' ? prompt.reminder : `${userText}\n\n${prompt.reminder}`;
}
