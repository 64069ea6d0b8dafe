import type { MalformedReason, RepromptReason, ToolChoice } from './tool-types';

export type ToolProblem =
  | { kind: 'unknown_name'; name: string }
  /** A declared tool, but `tool_choice` names another one. */
  | { kind: 'not_chosen'; name: string }
  | { kind: 'malformed'; reason: MalformedReason }
  | { kind: 'schema_invalid'; name: string; strict: boolean; errors: readonly string[] }
  | { kind: 'extra_parallel_call'; name: string }
  | { kind: 'duplicate_call'; name: string }
  /** The reply ended without a call. */
  | { kind: 'no_call' };

export interface PolicyContext {
  choice: ToolChoice;
  /** Calls already emitted in this response: after one, nothing can be re-prompted or retracted. */
  callsSent: number;
  /** Each request gets one re-prompt. */
  repromptAvailable: boolean;
  /** The reply hit the length limit: a re-prompt would be cut the same way. */
  cutByLength: boolean;
  /** The tools the model may call (after `tool_choice`), for the corrective message. */
  availableNames: readonly string[];
  /** The opening wrapper as the prompt spells it, for the corrective message. */
  wrapperTag: string;
}

export type PolicyDecision =
  /** Nothing to correct: emit the call (or, for `no_call`, finish normally). */
  | { action: 'accept' }
  /** Leave out this call only and read on. */
  | { action: 'drop_call' }
  /** Leave out the whole block, add `note` as text, and read on as text. */
  | { action: 'drop_block'; note: string }
  /** Calls went out: drop the broken rest, stop the upstream, finish with the calls sent. */
  | { action: 'drop_rest' }
  | { action: 'reprompt'; reason: RepromptReason; message: string }
  /** Never run it: send the raw block as text. */
  | { action: 'text_fallback' }
  /** `required` or a named choice could not be met: end with `tool_choice_violation`. */
  | { action: 'violation' };

const MALFORMED_WORDS: Record<MalformedReason, string> = {
  mismatched_tag: 'a closing tag did not match',
  unexpected_text: 'text appeared between tags',
  missing_name: 'a name attribute was missing',
  truncated: 'the block was cut off',
  unclosed_cdata: 'a CDATA section was not closed',
  over_cap: 'the block was too large',
  bad_json: 'a string="false" value was not valid JSON',
};

function chosenName(choice: ToolChoice): string | null {
  return typeof choice === 'object' ? choice.name : null;
}

function mustCall(choice: ToolChoice): boolean {
  return choice === 'required' || typeof choice === 'object';
}

function dutyLine(choice: ToolChoice): string {
  const chosen = chosenName(choice);
  if (chosen !== null) return ` You must call \`${chosen}\`.`;
  return choice === 'required' ? ' You must call at least one tool.' : '';
}

/** The failure policy (docs/tool-calls.md, "Failure policy") as a pure decision; the caller acts on it. */
export function decideOnProblem(problem: ToolProblem, context: PolicyContext): PolicyDecision {
  const canReprompt = context.callsSent === 0 && context.repromptAvailable;
  switch (problem.kind) {
    case 'unknown_name':
    case 'not_chosen':
      if (context.callsSent > 0) return { action: 'drop_call' };
      if (canReprompt) return { action: 'reprompt', reason: 'unknown_name', message: nameMessage(problem, context) };
      if (mustCall(context.choice)) return { action: 'violation' };
      return {
        action: 'drop_block',
        note: `\n\n(A call to \`${problem.name}\`, which is not an available tool, was not run.)`,
      };
    case 'malformed':
      if (context.callsSent > 0) return { action: problem.reason === 'bad_json' ? 'drop_call' : 'drop_rest' };
      if (canReprompt && !context.cutByLength) {
        const message =
          `Your tool call could not be read (${MALFORMED_WORDS[problem.reason]}). Reply again with the complete ` +
          `call in one ${context.wrapperTag} block, written exactly as described, with nothing after it.`;
        return { action: 'reprompt', reason: 'malformed', message };
      }
      return { action: 'text_fallback' };
    case 'schema_invalid':
      if (!problem.strict || !canReprompt) return { action: 'accept' };
      return {
        action: 'reprompt',
        reason: 'schema_invalid',
        message:
          `The arguments for \`${problem.name}\` do not match its schema: ${problem.errors.slice(0, 5).join('; ')}. ` +
          'Reply again with corrected arguments.',
      };
    case 'extra_parallel_call':
    case 'duplicate_call':
      return { action: 'drop_call' };
    case 'no_call':
      if (!mustCall(context.choice) || context.cutByLength) return { action: 'accept' };
      if (!canReprompt) return { action: 'violation' };
      return {
        action: 'reprompt',
        reason: 'no_call',
        message: `This reply needs a tool call.${dutyLine(context.choice)} Reply again with a ${context.wrapperTag} block.`,
      };
  }
}

function nameMessage(problem: { kind: 'unknown_name' | 'not_chosen'; name: string }, context: PolicyContext): string {
  const chosen = chosenName(context.choice);
  if (problem.kind === 'not_chosen' && chosen !== null) {
    return `Only \`${chosen}\` may be called in this reply, not \`${problem.name}\`. Reply again and call \`${chosen}\`.`;
  }
  const available = context.availableNames.map((name) => `\`${name}\``).join(', ');
  return (
    `\`${problem.name}\` is not an available tool. Available tools: ${available}. Reply again, using only these ` +
    `names exactly as written.${dutyLine(context.choice)}`
  );
}
