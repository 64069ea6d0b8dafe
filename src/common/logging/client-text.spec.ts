import { clip, MAX_LOGGED_PATH_LENGTH, printable, quotable } from './client-text';

describe('client text in logs and messages', () => {
  it('should clip long text and mark the cut', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcd', 3)).toBe('abc…');
  });

  it('should keep client text on one line and in one field', () => {
    expect(printable('a b\r\n[Nest] 1  - LOG forged\x7f')).toBe('a%20b%0D%0A[Nest]%201%20%20-%20LOG%20forged%7F');
  });

  it('should bound what a message may quote, whatever the client sent', () => {
    const quoted = quotable(`/${'x\n'.repeat(50_000)}`);
    expect(quoted).not.toContain('\n');
    expect(quoted.length).toBeLessThanOrEqual(MAX_LOGGED_PATH_LENGTH * 3 + 1);
  });
});
