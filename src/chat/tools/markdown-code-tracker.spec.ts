import { MarkdownCodeTracker } from './markdown-code-tracker';

/** Whether each `@` of `text` (fed one character at a time) is inside code. */
function codeFlags(text: string): boolean[] {
  const tracker = new MarkdownCodeTracker();
  const flags: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    tracker.feed(text.charCodeAt(i));
    if (text[i] === '@') flags.push(tracker.inCode);
  }
  return flags;
}

describe('MarkdownCodeTracker', () => {
  it.each([
    ['plain @', [false]],
    ['```\n@\n```\n@', [true, false]],
    ['~~~python\n@\n~~~\n@', [true, false]],
    ['   ```\n@\n```\n@', [true, false]],
    ['    ```\n@', [false]],
    ['````\n```\n@\n```\n@\n````\n@', [true, true, false]],
    ['```\n~~~\n@\n```\n@', [true, false]],
    ['```\n@ ```\n@', [true, true]],
    ['`@` @', [true, false]],
    ['``a ` @`` @', [true, false]],
    ['a ` stray @\n@', [true, false]],
    ['text ```@```\n@', [true, false]],
    ['``\n@', [false]],
  ])('%j', (text, flags) => {
    expect(codeFlags(text)).toEqual(flags);
  });

  it('counts a fence marker split across feeds (state is per character)', () => {
    const tracker = new MarkdownCodeTracker();
    for (const char of '``') tracker.feed(char.charCodeAt(0));
    for (const char of '`\n') tracker.feed(char.charCodeAt(0));
    expect(tracker.inCode).toBe(true);
  });

  it('changes nothing when the same ordinary character is fed twice', () => {
    const tracker = new MarkdownCodeTracker();
    for (const char of '`x') tracker.feed(char.charCodeAt(0));
    tracker.feed(0x3c);
    const before = tracker.inCode;
    tracker.feed(0x3c);
    expect(tracker.inCode).toBe(before);
  });
});
