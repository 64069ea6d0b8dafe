import { argumentsJson, buildArguments, parseLenientJson, rawValue, repairJson } from './tool-arguments';
import type { ParsedParameter } from './tool-markup-events';
import type { JsonSchema } from './tool-types';

function parameter(
  name: string,
  value: string,
  stringAttribute: 'true' | 'false' | null,
  cdata = false,
): ParsedParameter {
  return { name, value, stringAttribute, cdata };
}

const schema: JsonSchema = {
  type: 'object',
  properties: {
    text: { type: 'string' },
    count: { type: 'integer' },
    tags: { type: 'array' },
    options: { type: 'object' },
    maybe: { type: ['string', 'null'] },
    mode: { enum: ['a', 'b'] },
  },
};

describe('rawValue', () => {
  it.each([
    ['\nabc\n', 'abc'],
    ['\n\nabc\n\n', '\nabc\n'],
    ['\r\nabc\r\n', 'abc'],
    ['abc', 'abc'],
    ['  abc  ', '  abc  '],
  ])('%j → %j', (value, expected) => {
    expect(rawValue(parameter('p', value, 'true'))).toBe(expected);
  });

  it('keeps a CDATA body verbatim', () => {
    expect(rawValue(parameter('p', '\nabc\n', 'true', true))).toBe('\nabc\n');
  });
});

describe('parseLenientJson', () => {
  it.each([
    ['{"a": 1}', { a: 1 }],
    [' [1, 2,] ', [1, 2]],
    ['{"a": [1,], }', { a: [1] }],
    ['"C:\\path\\dir"', 'C:\\path\\dir'],
    ['"\\d+ and \\n"', '\\d+ and \n'],
    ['"keeps , ] inside"', 'keeps , ] inside'],
  ])('%s', (text, value) => {
    expect(parseLenientJson(text)).toEqual({ ok: true, value });
  });

  it('gives up on text that is not JSON', () => {
    expect(parseLenientJson('{a: 1')).toEqual({ ok: false });
    expect(repairJson('"a\\q"')).toBe('"a\\\\q"');
  });
});

describe('buildArguments', () => {
  const build = (...parameters: ParsedParameter[]) => buildArguments({ name: 't', parameters }, schema, 'function');

  it('starts from an empty object', () => {
    expect(build()).toEqual({ ok: true, args: {}, repeated: [] });
    expect(argumentsJson({})).toBe('{}');
  });

  it('lets the string attribute decide, then the schema', () => {
    expect(
      build(parameter('text', '42', null), parameter('count', '42', null), parameter('other', 'x y', null)),
    ).toMatchObject({
      args: { text: '42', count: 42, other: 'x y' },
    });
    expect(build(parameter('maybe', 'null', null), parameter('mode', 'true', null))).toMatchObject({
      args: { maybe: 'null', mode: 'true' },
    });
    expect(build(parameter('count', '"7"', 'false'), parameter('text', '[1]', 'true'))).toMatchObject({
      args: { count: '7', text: '[1]' },
    });
  });

  it('reads a mislabelled object or array as JSON and a mislabelled string as raw', () => {
    expect(build(parameter('options', '{"a":1}', 'true'), parameter('tags', '["x"]', 'true'))).toMatchObject({
      args: { options: { a: 1 }, tags: ['x'] },
    });
    expect(build(parameter('text', 'not json', 'false'))).toMatchObject({ args: { text: 'not json' } });
  });

  it('fails on string="false" text that is not JSON for a non-string property', () => {
    expect(build(parameter('options', '{a', 'false'))).toEqual({ ok: false, parameter: 'options' });
  });

  it('keeps the last of a repeated parameter', () => {
    expect(build(parameter('text', 'a', 'true'), parameter('text', 'b', 'true'))).toEqual({
      ok: true,
      args: { text: 'b' },
      repeated: ['text'],
    });
  });

  it('stores a parameter called __proto__ as data', () => {
    const result = build(parameter('__proto__', '{"polluted": true}', 'false'));
    expect(result.ok && Object.getPrototypeOf(result.args)).toBe(Object.prototype);
    expect(result.ok && argumentsJson(result.args)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('gives a custom tool its raw input', () => {
    expect(
      buildArguments({ name: 'patch', parameters: [parameter('input', '\n*** x\n', 'true')] }, null, 'custom'),
    ).toMatchObject({
      args: { input: '*** x' },
    });
    expect(buildArguments({ name: 'patch', parameters: [] }, null, 'custom')).toMatchObject({ args: { input: '' } });
  });
});
