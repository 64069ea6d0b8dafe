import { decideOnProblem, PolicyContext, ToolProblem } from './tool-failure-policy';

const base: PolicyContext = {
  choice: 'auto',
  callsSent: 0,
  repromptAvailable: true,
  cutByLength: false,
  availableNames: ['read_file', 'run'],
  wrapperTag: '<|DSML|tool_calls>',
};

function action(problem: ToolProblem, context: Partial<PolicyContext> = {}): string {
  return decideOnProblem(problem, { ...base, ...context }).action;
}

describe('decideOnProblem', () => {
  const unknown: ToolProblem = { kind: 'unknown_name', name: 'nope' };
  const malformed: ToolProblem = { kind: 'malformed', reason: 'truncated' };

  it.each([
    ['unknown, nothing sent', unknown, {}, 'reprompt'],
    ['unknown, re-prompt spent, auto', unknown, { repromptAvailable: false }, 'drop_block'],
    ['unknown, re-prompt spent, required', unknown, { repromptAvailable: false, choice: 'required' }, 'violation'],
    ['unknown, re-prompt spent, named', unknown, { repromptAvailable: false, choice: { name: 'run' } }, 'violation'],
    ['unknown after a call', unknown, { callsSent: 1 }, 'drop_call'],
    ['malformed, nothing sent', malformed, {}, 'reprompt'],
    ['malformed, re-prompt spent', malformed, { repromptAvailable: false }, 'text_fallback'],
    ['malformed, cut by length', malformed, { cutByLength: true }, 'text_fallback'],
    ['malformed after a call', malformed, { callsSent: 2 }, 'drop_rest'],
    ['bad JSON after a call', { kind: 'malformed', reason: 'bad_json' }, { callsSent: 1 }, 'drop_call'],
    ['schema, not strict', { kind: 'schema_invalid', name: 'run', strict: false, errors: ['x'] }, {}, 'accept'],
    ['schema, strict', { kind: 'schema_invalid', name: 'run', strict: true, errors: ['x'] }, {}, 'reprompt'],
    [
      'schema, strict, spent',
      { kind: 'schema_invalid', name: 'run', strict: true, errors: ['x'] },
      { repromptAvailable: false },
      'accept',
    ],
    ['extra parallel call', { kind: 'extra_parallel_call', name: 'run' }, { callsSent: 1 }, 'drop_call'],
    ['duplicate', { kind: 'duplicate_call', name: 'run' }, { callsSent: 1 }, 'drop_call'],
    ['no call, auto', { kind: 'no_call' }, {}, 'accept'],
    ['no call, required', { kind: 'no_call' }, { choice: 'required' }, 'reprompt'],
    ['no call, required, spent', { kind: 'no_call' }, { choice: 'required', repromptAvailable: false }, 'violation'],
    ['no call, required, cut by length', { kind: 'no_call' }, { choice: 'required', cutByLength: true }, 'accept'],
  ] as [string, ToolProblem, Partial<PolicyContext>, string][])('%s → %s', (_label, problem, context, expected) => {
    expect(action(problem, context)).toBe(expected);
  });

  it('names the available tools and the duty in the corrective message', () => {
    expect(decideOnProblem(unknown, { ...base, choice: 'required' })).toEqual({
      action: 'reprompt',
      reason: 'unknown_name',
      message:
        '`nope` is not an available tool. Available tools: `read_file`, `run`. Reply again, using only these names ' +
        'exactly as written. You must call at least one tool.',
    });
    expect(
      decideOnProblem({ kind: 'not_chosen', name: 'run' }, { ...base, choice: { name: 'read_file' } }),
    ).toMatchObject({
      message: 'Only `read_file` may be called in this reply, not `run`. Reply again and call `read_file`.',
    });
    expect(decideOnProblem(malformed, base)).toMatchObject({
      message:
        'Your tool call could not be read (the block was cut off). Reply again with the complete call in one ' +
        '<|DSML|tool_calls> block, written exactly as described, with nothing after it.',
    });
  });
});
