import { DEFAULT_ALIAS_TABLE } from './tool-markup-aliases';
import { ANY_TAG, MarkupTag, scanTag, TAG_LOOKAHEAD, tagBit } from './tool-markup-tags';

function scan(text: string, mask = ANY_TAG, markedOnly = 0): ReturnType<typeof scanTag> {
  return scanTag(text, 0, DEFAULT_ALIAS_TABLE, mask, markedOnly);
}

function tag(text: string): Omit<MarkupTag, 'end' | 'selfClosing'> & { length: number } {
  const result = scan(text);
  if (typeof result === 'string') throw new Error(`${text}: ${result}`);
  const { end, selfClosing: _selfClosing, ...rest } = result;
  return { ...rest, length: end };
}

describe('scanTag', () => {
  it.each([
    ['<|DSML|tool_calls>', 'wrapper', false, true],
    ['</|DSML|tool_calls>', 'wrapper', true, true],
    ['<\uff5cDSML\uff5ctool_calls>', 'wrapper', false, true],
    ['<||DSML||tool_calls>', 'wrapper', false, true],
    ['<| DSML | tool_calls>', 'wrapper', false, true],
    ['<|DSML|DSML|tool_calls>', 'wrapper', false, true],
    ['<<|DSML|tool_calls>', 'wrapper', false, true],
    ['<dsml-tool-calls>', 'wrapper', false, true],
    ['<DSMLtool_calls>', 'wrapper', false, true],
    ['<DSML|function_calls>', 'wrapper', false, true],
    ['<tool_calls>', 'wrapper', false, false],
    ['<TOOL-CALLS>', 'wrapper', false, false],
    ['</\uff5c\uff5cDSML\uff5c\uff5cparameter>', 'parameter', true, true],
    ['</parameter>', 'parameter', true, false],
    ['<invoke name="a">', 'invoke', false, false],
  ] as const)('reads %s', (text, element, closing, marked) => {
    expect(tag(text)).toMatchObject({ element, closing, marked, length: text.length });
  });

  it('reads the name and string attributes, quoted or not', () => {
    expect(tag('<|DSML|parameter name="path" string="TRUE">')).toMatchObject({ name: 'path', stringAttribute: 'true' });
    expect(tag("<|DSML|invoke name='a b'>")).toMatchObject({ name: 'a b' });
    expect(tag('<|DSML|parameter name=path string=false>')).toMatchObject({ name: 'path', stringAttribute: 'false' });
    expect(tag('<invoke name="x" >')).toMatchObject({ name: 'x' });
  });

  it('ends a tag at a trailing pipe when no > follows', () => {
    expect(scan('<|DSML|invoke name="a"|\nrest')).toMatchObject({ end: '<|DSML|invoke name="a"|'.length });
    expect(scan('<|DSML|invoke name="a"|>')).toMatchObject({ end: '<|DSML|invoke name="a"|>'.length });
    expect(scan('<|DSML|invoke name="a"|')).toBe('partial-open');
  });

  it('reads self-closing tags', () => {
    expect(scan('<|DSML|invoke name="a"/>')).toMatchObject({ selfClosing: true, name: 'a' });
  });

  it('is partial on every prefix of an opener, open once the name is known', () => {
    const opener = '<|DSML|invoke name="read_file">';
    const nameEnd = '<|DSML|invoke'.length;
    for (let length = 1; length < opener.length; length++) {
      expect([opener.slice(0, length), scan(opener.slice(0, length))]).toEqual([
        opener.slice(0, length),
        length <= nameEnd ? 'partial' : 'partial-open',
      ]);
    }
  });

  it.each([
    '<div>',
    '<tool_calls_extra>',
    '<tool_use>',
    '<function=read>',
    '< b',
    '<< b',
    '<|User|>',
    '<p>',
    '<toolcalls>',
  ])('rejects %s', (text) => {
    expect(scan(text)).toBe('no');
  });

  it('stops looking after the look-ahead', () => {
    expect(scan(`<${'|'.repeat(TAG_LOOKAHEAD + 2)}`)).toBe('no');
    expect(scan(`<${'|'.repeat(TAG_LOOKAHEAD - 4)}`)).toBe('partial');
  });

  it('honours the accepted tags and the marked-only ones', () => {
    const openers = tagBit('wrapper', false) | tagBit('invoke', false);
    expect(scan('</|DSML|tool_calls>', openers)).toBe('no');
    expect(scan('<|DSML|parameter name="a">', openers)).toBe('no');
    expect(scan('<invoke name="a">', openers, tagBit('invoke', false))).toBe('no');
    expect(scan('<|DSML|invoke name="a">', openers, tagBit('invoke', false))).toMatchObject({ element: 'invoke' });
  });

  it('rejects attribute syntax it cannot read', () => {
    expect(scan('<|DSML|invoke name>')).toBe('no');
    expect(scan('<|DSML|invoke "x">')).toBe('no');
  });
});
