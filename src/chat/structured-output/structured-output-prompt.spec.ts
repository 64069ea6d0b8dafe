import type { ResponseFormat } from './response-format';
import { structuredOutputCorrection, structuredOutputInstructions } from './structured-output-prompt';

const person: ResponseFormat = {
  type: 'json_schema',
  name: 'person',
  description: 'A person\nwith   a name.',
  schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] },
  strict: true,
};

describe('structuredOutputInstructions', () => {
  it('should ask for one JSON object for json_object', () => {
    expect(structuredOutputInstructions({ type: 'json_object' })).toBe(
      'Reply with only one JSON object. Write no code fence and no text before or after it.',
    );
  });

  it('should give the name, the description on one line and the schema as compact JSON', () => {
    expect(structuredOutputInstructions(person)).toBe(
      [
        'Reply with only one JSON value that matches the JSON Schema below. Write no code fence and no text before or after it.',
        'Schema name: person',
        'Schema description: A person with a name.',
        'Schema: {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name"]}',
      ].join('\n'),
    );
  });

  it('should leave out a missing or blank description and a missing schema', () => {
    expect(
      structuredOutputInstructions({
        type: 'json_schema',
        name: 'free',
        description: ' \n',
        schema: null,
        strict: false,
      }),
    ).toBe('Reply with only one JSON value. Write no code fence and no text before or after it.\nSchema name: free');
  });

  it('should not depend on strict', () => {
    expect(structuredOutputInstructions({ ...person, strict: false })).toBe(structuredOutputInstructions(person));
  });

  it('should write a schema on one line even when its strings hold line breaks and unicode', () => {
    const text = structuredOutputInstructions({ ...person, schema: { description: 'a\nb 😀', enum: ['ü'] } });
    expect(text.split('\n').pop()).toBe('Schema: {"description":"a\\nb 😀","enum":["ü"]}');
  });
});

describe('structuredOutputCorrection', () => {
  it('should state the problem and ask again for a JSON object', () => {
    expect(
      structuredOutputCorrection('it is not valid JSON (Unexpected end of JSON input)', { type: 'json_object' }),
    ).toBe(
      'Your reply was not accepted because it is not valid JSON (Unexpected end of JSON input). ' +
        'Reply again with only one JSON object. Write no code fence and no text before or after it.',
    );
  });

  it('should name the schema and not end the problem with two periods', () => {
    expect(
      structuredOutputCorrection("it does not match the schema: (root) must have required property 'name'.\n", person),
    ).toBe(
      "Your reply was not accepted because it does not match the schema: (root) must have required property 'name'. " +
        'Reply again with only one JSON value that matches the schema "person". Write no code fence and no text before or after it.',
    );
  });

  it('should ask for any JSON value when there is no schema', () => {
    expect(
      structuredOutputCorrection('it is empty', {
        type: 'json_schema',
        name: 'x',
        description: null,
        schema: null,
        strict: false,
      }),
    ).toContain('Reply again with only one JSON value. ');
  });
});
