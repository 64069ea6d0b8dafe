import { ApiError } from '../../common/errors/api-error';
import { MAX_SCHEMA_BYTES, parseResponseFormat } from './response-format';

/** The ApiError `parseResponseFormat` throws for `value`. */
function refusal(value: unknown): ApiError {
  try {
    parseResponseFormat(value);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function expectRefused(value: unknown, param: string, message: RegExp | string): void {
  const error = refusal(value);
  expect(error.getStatus()).toBe(400);
  expect(error.code).toBe('invalid_value');
  expect(error.param).toBe(param);
  expect(error.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
}

const schemaFormat = (jsonSchema: unknown) => ({ type: 'json_schema', json_schema: jsonSchema });

describe('parseResponseFormat', () => {
  describe('nothing to enforce', () => {
    it('should give null for an absent, undefined or null value', () => {
      expect(parseResponseFormat(undefined)).toBeNull();
      expect(parseResponseFormat(null)).toBeNull();
    });

    it('should give null for the text type', () => {
      expect(parseResponseFormat({ type: 'text' })).toBeNull();
    });
  });

  describe('json_object', () => {
    it('should read the json_object type and ignore unknown keys', () => {
      expect(parseResponseFormat({ type: 'json_object' })).toEqual({ type: 'json_object' });
      expect(parseResponseFormat({ type: 'json_object', extra: 1 })).toEqual({ type: 'json_object' });
    });
  });

  describe('json_schema', () => {
    it('should read every field', () => {
      const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
      expect(
        parseResponseFormat(schemaFormat({ name: 'my_Answer-2', description: 'An answer.', schema, strict: true })),
      ).toEqual({ type: 'json_schema', name: 'my_Answer-2', description: 'An answer.', schema, strict: true });
    });

    it('should default description and schema to null and strict to false', () => {
      expect(parseResponseFormat(schemaFormat({ name: 'x' }))).toEqual({
        type: 'json_schema',
        name: 'x',
        description: null,
        schema: null,
        strict: false,
      });
      expect(parseResponseFormat(schemaFormat({ name: 'x', description: null, schema: null, strict: null }))).toEqual({
        type: 'json_schema',
        name: 'x',
        description: null,
        schema: null,
        strict: false,
      });
    });

    it('should accept a name of exactly 64 characters and an empty schema', () => {
      const name = 'a'.repeat(64);
      expect(parseResponseFormat(schemaFormat({ name, schema: {} }))).toMatchObject({ name, schema: {} });
    });

    it('should accept unicode in the description and schema', () => {
      const schema = { type: 'object', properties: { 'größe😀': { description: '長さ' } } };
      expect(parseResponseFormat(schemaFormat({ name: 'u', description: 'Ünïcödé 😀', schema }))).toMatchObject({
        description: 'Ünïcödé 😀',
        schema,
      });
    });

    it('should accept a schema just under the size limit', () => {
      const filler = 'x'.repeat(MAX_SCHEMA_BYTES - 100);
      expect(parseResponseFormat(schemaFormat({ name: 'big', schema: { description: filler } }))).not.toBeNull();
    });
  });

  describe('refusals', () => {
    it('should refuse a value that is not an object', () => {
      expectRefused('json_object', 'response_format', /expected an object, but got a string/);
      expectRefused([{ type: 'json_object' }], 'response_format', /but got an array/);
      expectRefused(1, 'response_format', /but got an integer/);
    });

    it('should refuse a missing or non-string type', () => {
      expectRefused({}, 'response_format.type', "Missing required parameter: 'response_format.type'.");
      expectRefused({ type: 3 }, 'response_format.type', /expected a string, but got an integer/);
    });

    it('should refuse an unknown type and list the supported ones', () => {
      expectRefused(
        { type: 'xml' },
        'response_format.type',
        "Invalid value: 'xml'. Supported values are: 'text', 'json_object', and 'json_schema'.",
      );
    });

    it('should not echo a huge unknown type in full', () => {
      const message = refusal({ type: 'y'.repeat(10_000) }).message;
      expect(message.length).toBeLessThan(200);
    });

    it('should refuse json_schema without its json_schema object', () => {
      expectRefused(
        { type: 'json_schema' },
        'response_format.json_schema',
        "Missing required parameter: 'response_format.json_schema'.",
      );
      expectRefused(schemaFormat('x'), 'response_format.json_schema', /expected an object, but got a string/);
    });

    it('should refuse a missing name', () => {
      expectRefused(
        schemaFormat({ schema: {} }),
        'response_format.json_schema.name',
        "Missing required parameter: 'response_format.json_schema.name'.",
      );
    });

    it.each([[''], ['has space'], ['dot.ted'], ['a'.repeat(65)], ['ünï']])('should refuse the name %p', (name) => {
      expectRefused(schemaFormat({ name }), 'response_format.json_schema.name', /does not match pattern/);
    });

    it('should refuse a name that is not a string', () => {
      expectRefused(schemaFormat({ name: 7 }), 'response_format.json_schema.name', /expected a string/);
    });

    it('should refuse a description that is not a string', () => {
      expectRefused(
        schemaFormat({ name: 'x', description: { text: 'x' } }),
        'response_format.json_schema.description',
        /expected a string, but got an object/,
      );
    });

    it.each([
      ['string', '{"type":"object"}'],
      ['array', [{ type: 'object' }]],
      ['boolean', true],
    ])('should refuse a schema given as a %s', (_kind, schema) => {
      expectRefused(schemaFormat({ name: 'x', schema }), 'response_format.json_schema.schema', /expected an object/);
    });

    it('should refuse a strict that is not a boolean', () => {
      expectRefused(
        schemaFormat({ name: 'x', strict: 'true' }),
        'response_format.json_schema.strict',
        "Invalid type for 'response_format.json_schema.strict': expected a boolean, but got a string instead.",
      );
    });

    it('should refuse a schema over the size limit, counted in UTF-8 bytes', () => {
      const ascii = { description: 'x'.repeat(MAX_SCHEMA_BYTES) };
      expectRefused(schemaFormat({ name: 'x', schema: ascii }), 'response_format.json_schema.schema', /too large/);
      // 60 018 UTF-16 units of JSON, but 120 018 bytes.
      const emoji = { description: '😀'.repeat(30_000) };
      expectRefused(
        schemaFormat({ name: 'x', schema: emoji }),
        'response_format.json_schema.schema',
        `Invalid 'response_format.json_schema.schema': schema too large. Expected at most ${MAX_SCHEMA_BYTES} bytes of JSON, but got 120018 instead.`,
      );
    });
  });
});
