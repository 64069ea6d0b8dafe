import type { ReplyHook } from './types';

/** One call the scripted model writes; string values go raw, anything else as JSON. */
export interface ScriptedCall {
  name: string;
  args: Record<string, unknown>;
}

/** A reply: text, calls, or a function of the prompt (e.g. to quote the tool results it carries). */
export type ScriptedTurn = string | ScriptedCall[] | ((prompt: string) => string);

/** A rendered `<tool_results>` block, as the gateway writes them into the next user turn. */
const RESULTS_BLOCK = /<tool_results>\n<result /g;
const RESULT = /<result name="([^"]*)"[^>]*>([\s\S]*?)<\/result>/g;

/** The tool markup the gateway asks models for (docs/tool-calls.md §1, the `dsml` spelling). */
export function toolCallBlock(calls: readonly ScriptedCall[]): string {
  const invokes = calls.map(({ name, args }) => {
    const parameters = Object.entries(args).map(([key, value]) =>
      typeof value === 'string'
        ? `<|DSML|parameter name="${key}" string="true">${value}</|DSML|parameter>`
        : `<|DSML|parameter name="${key}" string="false">${JSON.stringify(value)}</|DSML|parameter>`,
    );
    return [`<|DSML|invoke name="${name}">`, ...parameters, '</|DSML|invoke>'].join('\n');
  });
  return ['<|DSML|tool_calls>', ...invokes, '</|DSML|tool_calls>'].join('\n');
}

/** `name: content` of every result in the prompt's `<tool_results>` blocks, in order. */
export function toolResultsIn(prompt: string): string[] {
  return [...prompt.matchAll(RESULT)].map(([, name, content]) => `${name}: ${content}`);
}

/**
 * A scripted model for tool loops, keyed by turn: the reply to a conversation that carries n
 * `<tool_results>` blocks (in the prompt and the chat's earlier prompts, as a model sees them) is
 * `turns[n]` (the last one once the script runs out). A function turn gets all of that text. Set it with
 * `fake.configure({ replyFor })`.
 */
export function toolLoopModel(turns: readonly ScriptedTurn[]): ReplyHook {
  return ({ prompt, history }) => {
    const seen = [...history.map((exchange) => exchange.prompt), prompt].join('\n');
    const turn = turns[Math.min(seen.match(RESULTS_BLOCK)?.length ?? 0, turns.length - 1)];
    if (typeof turn === 'string') return { content: turn };
    if (typeof turn === 'function') return { content: turn(seen) };
    return { content: toolCallBlock(turn) };
  };
}
