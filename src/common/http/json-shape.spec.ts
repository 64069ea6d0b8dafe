import { checkJsonShape, JsonShapeError } from './json-shape';

const limits = { maxDepth: 3, maxValues: 5 };
const check = (text: string) => () => checkJsonShape(Buffer.from(text), limits);

describe('checkJsonShape', () => {
  it.each([
    '{}',
    '{"a":[{"b":1}]}',
    '[1,2,3,4,5]',
    '{"s":"[[[[[[,,,,,,,]]]]]]"}',
    '{"s":"a\\"[[[[,,,,,,"}',
    '[[[]]]]]]',
  ])('should pass %s', (text) => {
    expect(check(text)).not.toThrow();
  });

  it.each([
    ['four levels', '[[[[]]]]', /deeper than 3 levels/],
    ['four levels behind an escaped quote', '{"s":"\\\\","a":[[[]]]}', /deeper than 3 levels/],
    ['seven values', '[1,2,3,4,5,6,7]', /more than 5 JSON values/],
    ['values spread over levels', '[[1,2],[3,4],[5,6]]', /more than 5 JSON values/],
  ])('should refuse %s', (_, text, message) => {
    expect(check(text)).toThrow(JsonShapeError);
    expect(check(text)).toThrow(message);
  });

  it('should carry the status and type body-parser passes on', () => {
    const error = new JsonShapeError('x');
    expect([error.status, error.type]).toEqual([400, 'entity.shape.exceeded']);
  });

  it('should let real requests through with the default limits', () => {
    const messages = Array.from({ length: 2000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'x' }));
    const schema = JSON.parse(`${'{"type":"object","properties":{"a":'.repeat(12)}{}${'}}'.repeat(12)}`);
    const body = { model: 'm', messages, tools: [{ type: 'function', function: { name: 'f', parameters: schema } }] };
    expect(() => checkJsonShape(Buffer.from(JSON.stringify(body)))).not.toThrow();
  });
});
