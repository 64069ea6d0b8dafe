import fc from 'fast-check';
import { codePointLength, firstCodePoints, splitGraphemes, takeGraphemes, tokenize } from './tokenizer';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('fake DeepSeek tokenizer', () => {
  it('should split text into 1–4 character tokens that join back to the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        const tokens = tokenize(text);
        expect(tokens.join('')).toBe(text);
        for (const token of tokens) {
          expect(splitGraphemes(token).length).toBeGreaterThanOrEqual(1);
          expect(splitGraphemes(token).length).toBeLessThanOrEqual(4);
        }
      }),
    );
  });

  it('should keep whitespace-only tokens as separate tokens', () => {
    const tokens = tokenize('# Title\n\n- item one\n  nested');
    expect(tokens).toEqual(expect.arrayContaining([' ', '\n\n']));
    for (const token of tokens) expect(/^\s+$/.test(token) || !/\s/.test(token)).toBe(true);
  });

  it('should never split a surrogate pair or a multi-codepoint emoji', () => {
    const text = '👨‍👩‍👧‍👦👍🏽🇫🇷😊e\u0301\r\nabc';
    for (const size of [0, 1, 2, 3]) {
      const tokens = tokenize(text, size);
      expect(tokens.join('')).toBe(text);
      for (const token of tokens) expect(token).not.toMatch(LONE_SURROGATE);
      expect(tokens.some((t) => t.includes('👨‍👩‍👧‍👦'))).toBe(true);
      expect(tokens.some((t) => t.includes('🇫🇷'))).toBe(true);
    }
  });

  it('should be deterministic and honour charsPerFrame', () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    expect(tokenize(text)).toEqual(tokenize(`${text}`.slice(0)));
    expect(tokenize(text, 10)).toEqual(['The quick ', 'brown fox ', 'jumps over', ' the lazy ', 'dog.']);
  });

  it('should count and cut by code points and graphemes', () => {
    expect(codePointLength('a😊b')).toBe(3);
    expect(firstCodePoints('a😊bc', 2)).toBe('a😊');
    expect(takeGraphemes('👍🏽x', 1)).toBe('👍🏽');
  });
});
