import { ToolSchemaValidator } from './tool-schema-validator';
import type { DeclaredTool, JsonSchema } from './tool-types';

function tool(parameters: JsonSchema | null, name = 't'): DeclaredTool {
  return { name, description: null, parameters, strict: false, kind: 'function' };
}

describe('ToolSchemaValidator', () => {
  const schema: JsonSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      n: { type: 'integer' },
      s: { type: 'string' },
      b: { type: 'boolean' },
      p: { type: 'string', pattern: '^(a+)+$' },
    },
    required: ['n'],
  };

  it('coerces scalars the way the schema wants', () => {
    const args: Record<string, unknown> = { n: '5', s: 7, b: 'true' };
    expect(new ToolSchemaValidator().check(tool(schema), args)).toEqual([]);
    expect(args).toEqual({ n: 5, s: '7', b: true });
  });

  it('reports what it cannot fix and leaves the rest', () => {
    const args: Record<string, unknown> = { s: 'x', extra: 1 };
    expect(new ToolSchemaValidator().check(tool(schema), args)).toEqual([
      "(arguments) must have required property 'n'",
    ]);
    expect(args).toEqual({ s: 'x', extra: 1 });
  });

  it('removes unknown properties only under additionalProperties: false', () => {
    const closed = tool({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false });
    const args: Record<string, unknown> = { a: 'x', b: 'y' };
    expect(new ToolSchemaValidator().check(closed, args)).toEqual([]);
    expect(args).toEqual({ a: 'x' });
  });

  it('does not run client patterns', () => {
    const args: Record<string, unknown> = { n: 1, p: `${'a'.repeat(40)}!` };
    expect(new ToolSchemaValidator().check(tool(schema), args)).toEqual([]);
  });

  it('skips schemas it cannot compile, and tools without one', () => {
    const validator = new ToolSchemaValidator();
    const broken = tool({ type: 'object', properties: { a: { $ref: 'https://example.invalid/x.json' } } }, 'broken');
    expect(validator.check(broken, { a: 1 })).toEqual([]);
    expect(validator.check(tool(null, 'free'), { anything: true })).toEqual([]);
  });

  it('compiles each tool once per validator', () => {
    const validator = new ToolSchemaValidator();
    const declared = tool(schema);
    validator.check(declared, { n: 1 });
    const compile = jest.spyOn((validator as unknown as { ajv: { compile: () => unknown } }).ajv, 'compile');
    validator.check(declared, { n: 2 });
    expect(compile).not.toHaveBeenCalled();
  });
});
