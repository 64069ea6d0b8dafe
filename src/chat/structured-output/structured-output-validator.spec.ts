import type { JsonSchema } from '../tools/tool-types';
import type { ResponseFormat } from './response-format';
import { MAX_PROBLEM_CHARS, StructuredOutputValidator } from './structured-output-validator';

const JSON_OBJECT: ResponseFormat = { type: 'json_object' };

function schemaFormat(schema: JsonSchema | null, strict = true): ResponseFormat {
  return { type: 'json_schema', name: 'answer', description: null, schema, strict };
}

function problemOf(validator: StructuredOutputValidator, text: string): string {
  const result = validator.check(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to fail`);
  return result.problem;
}

const person: JsonSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
  required: ['name'],
  additionalProperties: false,
};

describe('StructuredOutputValidator', () => {
  describe('json_object', () => {
    const validator = new StructuredOutputValidator(JSON_OBJECT);

    it('should accept a plain object, with surrounding whitespace and unicode', () => {
      expect(validator.check('{"a": [1, {"b": null}]}')).toEqual({ ok: true });
      expect(validator.check('\n {"ü😀": "\u2028"} \n')).toEqual({ ok: true });
      expect(validator.check('{}')).toEqual({ ok: true });
    });

    it.each([
      ['[1, 2]', 'it is an array, not a JSON object'],
      ['null', 'it is null, not a JSON object'],
      ['"text"', 'it is a string, not a JSON object'],
      ['42', 'it is a number, not a JSON object'],
      ['true', 'it is a boolean, not a JSON object'],
    ])('should refuse %s', (text, problem) => {
      expect(validator.check(text)).toEqual({ ok: false, problem });
    });

    it('should refuse an empty or whitespace-only answer', () => {
      expect(validator.check('')).toEqual({ ok: false, problem: 'it is empty' });
      expect(validator.check(' \n\t ')).toEqual({ ok: false, problem: 'it is empty' });
    });

    it('should give the parse error without quoting the answer', () => {
      expect(problemOf(validator, 'Sure! Here is the JSON you asked for')).toBe(
        "it is not valid JSON (Unexpected token 'S')",
      );
      // Newer Node versions add "(line 1 column 8)".
      expect(problemOf(validator, '{"a": 1')).toMatch(
        /^it is not valid JSON \(Expected ',' or '}' after property value in JSON at position 7\b/,
      );
      expect(problemOf(validator, '{"a": 1} trailing')).toMatch(/^it is not valid JSON \(Unexpected non-whitespace/);
    });

    it('should refuse a fenced answer (stripping fences is not its job)', () => {
      expect(problemOf(validator, '```json\n{}\n```')).toMatch(/^it is not valid JSON/);
    });

    it('should keep the problem short for a huge answer', () => {
      const huge = `{"a": "${'x'.repeat(100_000)}`;
      const problem = problemOf(validator, huge);
      expect(problem.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
      expect(problem).not.toContain('xxxxxxxxxxxxxxxxxxxx');
    });
  });

  describe('json_schema', () => {
    it('should accept a matching value', () => {
      expect(new StructuredOutputValidator(schemaFormat(person)).check('{"name": "Zoë", "age": 3}')).toEqual({
        ok: true,
      });
    });

    it('should accept any JSON value the schema allows, not only objects', () => {
      const validator = new StructuredOutputValidator(schemaFormat({ type: 'array', items: { type: 'number' } }));
      expect(validator.check('[1, 2.5]')).toEqual({ ok: true });
      expect(problemOf(validator, '{"a": 1}')).toBe('it does not match the schema: (root) must be array');
    });

    it('should name each violation with its path', () => {
      const problem = problemOf(new StructuredOutputValidator(schemaFormat(person)), '{"age": -1, "extra": true}');
      expect(problem).toBe(
        "it does not match the schema: (root) must have required property 'name'; " +
          "(root) must NOT have additional properties ('extra'); /age must be >= 0",
      );
    });

    it('should not coerce types', () => {
      const validator = new StructuredOutputValidator(schemaFormat(person));
      expect(problemOf(validator, '{"name": "a", "age": "5"}')).toBe(
        'it does not match the schema: /age must be integer',
      );
      expect(problemOf(validator, '{"name": 5}')).toBe('it does not match the schema: /name must be string');
    });

    it('should not remove additional properties to make the value pass', () => {
      const validator = new StructuredOutputValidator(schemaFormat(person));
      expect(validator.check('{"name": "a", "x": 1}').ok).toBe(false);
    });

    it('should name at most five violations and count the rest', () => {
      const properties = Object.fromEntries([...'abcdefg'].map((key) => [key, { type: 'string' }]));
      const validator = new StructuredOutputValidator(schemaFormat({ type: 'object', properties }));
      const problem = problemOf(validator, JSON.stringify(Object.fromEntries([...'abcdefg'].map((key) => [key, 1]))));
      expect(problem).toBe(
        'it does not match the schema: /a must be string; /b must be string; /c must be string; ' +
          '/d must be string; /e must be string (and 2 more)',
      );
    });

    it('should bound the problem even with long property names from the answer', () => {
      const key = 'k'.repeat(5_000);
      const validator = new StructuredOutputValidator(
        schemaFormat({ type: 'object', additionalProperties: { type: 'string' } }),
      );
      const answer = JSON.stringify(Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`${key}${i}`, i])));
      const problem = problemOf(validator, answer);
      expect(problem.length).toBeLessThanOrEqual(MAX_PROBLEM_CHARS);
      expect(problem).not.toContain(key);
    });

    it('should not run client patterns nor check formats, and ignore $schema and $id', () => {
      const validator = new StructuredOutputValidator(
        schemaFormat({
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          $id: 'https://example.invalid/answer.json',
          type: 'object',
          properties: { p: { type: 'string', pattern: '^(a+)+$' }, d: { type: 'string', format: 'no-such-format' } },
        }),
      );
      expect(validator.check(JSON.stringify({ p: `${'a'.repeat(40)}!`, d: 'whatever' }))).toEqual({ ok: true });
    });

    it('should follow local $refs into $defs', () => {
      const validator = new StructuredOutputValidator(
        schemaFormat({
          type: 'object',
          properties: { item: { $ref: '#/$defs/item' } },
          $defs: { item: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } },
        }),
      );
      expect(validator.check('{"item": {"id": 1}}')).toEqual({ ok: true });
      expect(problemOf(validator, '{"item": {}}')).toBe(
        "it does not match the schema: /item must have required property 'id'",
      );
    });

    it('should enforce only the JSON parse when the schema cannot be compiled', () => {
      const validator = new StructuredOutputValidator(
        schemaFormat({ type: 'object', properties: { a: { $ref: 'https://example.invalid/x.json' } } }),
      );
      expect(validator.check('{"a": 1}')).toEqual({ ok: true });
      expect(validator.check('[]')).toEqual({ ok: true });
      expect(problemOf(validator, '{')).toMatch(/^it is not valid JSON/);
    });

    it('should enforce only the JSON parse without a schema', () => {
      const validator = new StructuredOutputValidator(schemaFormat(null));
      expect(validator.check('"just a string"')).toEqual({ ok: true });
      expect(problemOf(validator, 'just a string')).toMatch(/^it is not valid JSON/);
      expect(problemOf(validator, '')).toBe('it is empty');
    });

    it('should validate the same way whether strict is true or false', () => {
      const loose = new StructuredOutputValidator(schemaFormat(person, false));
      expect(loose.check('{"name": 1}')).toEqual(
        new StructuredOutputValidator(schemaFormat(person, true)).check('{"name": 1}'),
      );
      expect(loose.check('{"name": 1}').ok).toBe(false);
    });

    it('should check unicode property names and values', () => {
      const validator = new StructuredOutputValidator(
        schemaFormat({ type: 'object', properties: { 'größe😀': { const: 'ü😀' } }, required: ['größe😀'] }),
      );
      expect(validator.check('{"größe😀": "ü😀"}')).toEqual({ ok: true });
      expect(problemOf(validator, '{"größe😀": "u"}')).toBe(
        'it does not match the schema: /größe😀 must be equal to constant',
      );
    });

    it('should handle a large schema', () => {
      const properties = Object.fromEntries(
        Array.from({ length: 2_000 }, (_, i) => [`field_${i}`, { type: 'integer', description: `Field number ${i}.` }]),
      );
      const validator = new StructuredOutputValidator(
        schemaFormat({ type: 'object', properties, required: ['field_1999'] }),
      );
      expect(validator.check('{"field_1999": 1}')).toEqual({ ok: true });
      expect(problemOf(validator, '{"field_0": "x", "field_1999": 1}')).toBe(
        'it does not match the schema: /field_0 must be integer',
      );
    });

    it('should compile the schema once, and only when first needed', () => {
      const validator = new StructuredOutputValidator(schemaFormat(person));
      const internals = validator as unknown as { validate: unknown };
      expect(internals.validate).toBeUndefined();
      validator.check('{"name": "a"}');
      const compiled = internals.validate;
      expect(typeof compiled).toBe('function');
      validator.check('{"name": 2}');
      validator.check('{"name": "b"}');
      expect(internals.validate).toBe(compiled);
    });

    it('should not compile anything for an answer that is not JSON', () => {
      const validator = new StructuredOutputValidator(schemaFormat(person));
      validator.check('not json');
      expect((validator as unknown as { validate: unknown }).validate).toBeUndefined();
    });

    it('should leave the schema of the format untouched', () => {
      const schema = { type: 'object', properties: { p: { type: 'string', pattern: 'x' } } };
      const copy = JSON.parse(JSON.stringify(schema));
      new StructuredOutputValidator(schemaFormat(schema)).check('{"p": "y"}');
      expect(schema).toEqual(copy);
    });
  });
});
