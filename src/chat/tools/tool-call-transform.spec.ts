import { ToolCallTransform } from './tool-call-transform';
import type { DeclaredTool, ToolRequest, ToolStageOutput } from './tool-types';

const readFile: DeclaredTool = {
  name: 'read_file',
  description: null,
  parameters: {
    type: 'object',
    properties: { path: { type: 'string' }, line: { type: 'integer' } },
    required: ['path'],
  },
  strict: false,
  kind: 'function',
};
const patch: DeclaredTool = { name: 'apply_patch', description: null, parameters: null, strict: false, kind: 'custom' };

function call(name: string, body = ''): string {
  return `<|DSML|tool_calls>\n<|DSML|invoke name="${name}">\n${body}</|DSML|invoke>\n</|DSML|tool_calls>`;
}

function collector(): { outputs: ToolStageOutput[]; emit: (output: ToolStageOutput) => void } {
  const outputs: ToolStageOutput[] = [];
  return { outputs, emit: (output) => outputs.push(output) };
}

function request(overrides: Partial<ToolRequest> = {}): ToolRequest {
  return { tools: [readFile, patch], choice: 'auto', parallel: true, ...overrides };
}

describe('ToolCallTransform', () => {
  it('passes text straight through when tools are off', () => {
    for (const off of [request({ choice: 'none' }), request({ tools: [] })]) {
      const { outputs, emit } = collector();
      const transform = new ToolCallTransform(off);
      transform.pushContent('a <|DSML|tool_', emit);
      transform.end('INCOMPLETE', '', emit);
      expect(outputs).toEqual([
        { type: 'text', text: 'a <|DSML|tool_' },
        { type: 'end', finish: 'length' },
      ]);
    }
  });

  it('emits one complete call per invoke with a fresh id, then finishes with tool_calls', () => {
    const { outputs, emit } = collector();
    const transform = new ToolCallTransform(request());
    transform.pushContent(`Reading.\n${call('read_file', '<|DSML|parameter name="path">a</|DSML|parameter>\n')}`, emit);
    transform.end('FINISHED', '', emit);
    expect(outputs).toEqual([
      { type: 'text', text: 'Reading.\n' },
      {
        type: 'toolCall',
        index: 0,
        id: expect.stringMatching(/^call_[A-Za-z0-9]{24}$/),
        name: 'read_file',
        kind: 'function',
        argumentsJson: '{"path":"a"}',
      },
      { type: 'end', finish: 'tool_calls' },
    ]);
  });

  it('gives a custom tool its raw input', () => {
    const { outputs, emit } = collector();
    const transform = new ToolCallTransform(request(), { newId: () => 'call_1' });
    transform.pushContent(
      call('apply_patch', '<|DSML|parameter name="input" string="true">*** Begin</|DSML|parameter>\n'),
      emit,
    );
    expect(outputs).toContainEqual({
      type: 'toolCall',
      index: 0,
      id: 'call_1',
      name: 'apply_patch',
      kind: 'custom',
      argumentsJson: '{"input":"*** Begin"}',
    });
  });

  it('reports what it repaired or dropped as notices', () => {
    const { outputs, emit } = collector();
    const transform = new ToolCallTransform(request());
    const path = '<|DSML|parameter name="path">a</|DSML|parameter>\n';
    const body = `${path}${path}<|DSML|parameter name="line">x</|DSML|parameter>\n`;
    transform.pushContent(call('Read-File', body), emit);
    transform.pushContent(call('read_file', body), emit);
    const notices = outputs.flatMap((output) => (output.type === 'notice' ? [output.kind] : []));
    expect(notices).toEqual([
      'name_normalised',
      'repeated_parameter',
      'schema_invalid_passed',
      'repeated_parameter',
      'schema_invalid_passed',
      'duplicate_call_dropped',
    ]);
  });

  it('asks for one re-prompt, ignores the rest of the reply, and appends the new reply', () => {
    const { outputs, emit } = collector();
    const transform = new ToolCallTransform(request());
    transform.pushContent(`Sure.\n${call('nope')}`, emit);
    transform.pushContent('more text that must not show', emit);
    expect(outputs.slice(1).map((output) => output.type)).toEqual(['repromptNeeded', 'stopUpstream']);
    transform.beginRepromptRound();
    transform.pushContent(`Again.\n${call('nope')}\nSorry.`, emit);
    transform.end('FINISHED', '', emit);
    const texts = outputs.flatMap((output) => (output.type === 'text' ? [output.text] : []));
    expect(texts.join('')).toBe(
      'Sure.\nAgain.\n\n\n(A call to `nope`, which is not an available tool, was not run.)\nSorry.',
    );
    expect(outputs.filter((output) => output.type === 'repromptNeeded')).toHaveLength(1);
    expect(outputs.at(-1)).toEqual({ type: 'end', finish: 'stop' });
  });

  it('finishes when the service ends without sending a pending re-prompt', () => {
    const { outputs, emit } = collector();
    const transform = new ToolCallTransform(request({ choice: 'required' }));
    transform.pushContent('No tools today.', emit);
    transform.end('FINISHED', '', emit);
    expect(outputs.at(-1)).toMatchObject({ type: 'repromptNeeded', reason: 'no_call' });
    transform.end('FINISHED', '', emit);
    expect(outputs.at(-1)).toEqual({ type: 'end', finish: 'tool_choice_violation' });
  });

  it('never re-prompts after a call went out', () => {
    const { outputs, emit } = collector();
    const transform = new ToolCallTransform(request());
    transform.pushContent(
      call('read_file', '<|DSML|parameter name="path">a</|DSML|parameter>\n').replace('</|DSML|tool_calls>', ''),
      emit,
    );
    transform.pushContent('<|DSML|invoke name="read_file">\n<|DSML|parameter name="path">b', emit);
    transform.end('FINISHED', '', emit);
    expect(outputs.map((output) => output.type)).toEqual(['toolCall', 'notice', 'stopUpstream', 'end']);
    expect(outputs[2]).toEqual({ type: 'stopUpstream', reason: 'failed_after_calls' });
  });

  it('replaces the reasoning when it promotes a call out of it', () => {
    const { outputs, emit } = collector();
    const transform = new ToolCallTransform(request(), { newId: () => 'call_1' });
    transform.end(
      'FINISHED',
      `Plan.\n${call('read_file', '<|DSML|parameter name="path">a</|DSML|parameter>\n')}`,
      emit,
    );
    expect(outputs).toEqual([
      { type: 'toolCall', index: 0, id: 'call_1', name: 'read_file', kind: 'function', argumentsJson: '{"path":"a"}' },
      { type: 'notice', kind: 'reasoning_promoted', detail: '1 call(s)' },
      { type: 'reasoningReplaced', reasoning: 'Plan.' },
      { type: 'end', finish: 'tool_calls' },
    ]);
  });

  it('does not promote a reasoning call with an unknown name', () => {
    const { outputs, emit } = collector();
    new ToolCallTransform(request()).end('FINISHED', call('nope'), emit);
    expect(outputs).toEqual([{ type: 'end', finish: 'stop' }]);
  });

  it('ignores input after the end', () => {
    const { outputs, emit } = collector();
    const transform = new ToolCallTransform(request());
    transform.end('FINISHED', '', emit);
    transform.pushContent('late', emit);
    transform.end('FINISHED', '', emit);
    expect(outputs).toEqual([{ type: 'end', finish: 'stop' }]);
  });
});
