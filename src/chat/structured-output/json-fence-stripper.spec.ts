import { JsonFenceStripper } from './json-fence-stripper';

/** Feeds the pieces in order; the concatenated output, and what each call returned. */
function run(pieces: readonly string[]): { out: string; parts: string[]; dropped: number } {
  const stripper = new JsonFenceStripper();
  const parts = pieces.map((piece) => stripper.push(piece));
  parts.push(stripper.end());
  return { out: parts.join(''), parts, dropped: stripper.droppedAfterFence };
}

const whole = (text: string) => run([text]);

/** [name, answer as streamed, expected output, expected droppedAfterFence] */
const REPLAYS: ReadonlyArray<[string, string, string, number]> = [
  ['a fence with a json info string', '```json\n{"a": 1}\n```', '{"a": 1}', 0],
  ['a fence without info string', '```\n{"a": [1, 2]}\n```\n', '{"a": [1, 2]}', 0],
  ['a tilde fence', '~~~\n{"t": "~~~"}\n~~~\n\n', '{"t": "~~~"}', 0],
  ['an unfenced object', '{"a": {"b": null}}', '{"a": {"b": null}}', 0],
  ['an unfenced object with surrounding whitespace', ' \n\t {"a": true} \n\n ', '{"a": true}', 0],
  ['backticks inside JSON strings', '```json\n{"s": "a ``` b", "t": "```"}\n```', '{"s": "a ``` b", "t": "```"}', 0],
  ['CRLF line endings', '```json\r\n{\r\n  "a": 1\r\n}\r\n```\r\n', '{\r\n  "a": 1\r\n}', 0],
  ['text after the closing fence', '```json\n{"a": 1}\n```\nHope this helps!', '{"a": 1}', 16],
  ['a longer closing fence and a blank line inside', '\n\n````json\n{\n\n"a": 1}\n`````  \n', '{\n\n"a": 1}', 0],
  [
    'a pretty-printed body',
    '```json\n{\n  "list": [\n    1,\n    2\n  ]\n}\n```',
    '{\n  "list": [\n    1,\n    2\n  ]\n}',
    0,
  ],
  ['an unclosed fence', '```json\n{"a": 1}\n', '{"a": 1}', 0],
  ['a fence opener that is text after all', '``json``', '``json``', 0],
  ['unicode in the body', '```json\n{"emoji": "😀", "ü": "\u2028"}\n```', '{"emoji": "😀", "ü": "\u2028"}', 0],
];

describe('JsonFenceStripper', () => {
  describe('replays', () => {
    it.each(REPLAYS)('should strip %s the same way at every split point', (_name, input, expected, dropped) => {
      expect(whole(input)).toMatchObject({ out: expected, dropped });
      for (let at = 0; at <= input.length; at++) {
        const split = run([input.slice(0, at), input.slice(at)]);
        if (split.out !== expected || split.dropped !== dropped) {
          throw new Error(`split at ${at}: got ${JSON.stringify(split.out)} (dropped ${split.dropped})`);
        }
      }
    });

    it.each(REPLAYS)('should strip %s the same way one character at a time', (_name, input, expected, dropped) => {
      expect(run([...input])).toMatchObject({ out: expected, dropped });
      expect(run(input.split(''))).toMatchObject({ out: expected, dropped });
    });

    it.each(REPLAYS)('should strip %s the same way in random pieces', (_name, input, expected, dropped) => {
      let seed = 12345;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let round = 0; round < 50; round++) {
        const pieces: string[] = [];
        for (let at = 0; at < input.length;) {
          const size = 1 + Math.floor(random() * 6);
          pieces.push(input.slice(at, at + size));
          at += size;
        }
        expect(run(pieces)).toMatchObject({ out: expected, dropped });
      }
    });
  });

  describe('fences', () => {
    it('should remove the opening line with its info string and the closing line', () => {
      expect(whole('```javascript\n[1]\n```').out).toBe('[1]');
      expect(whole('``` json \n[1]\n```').out).toBe('[1]');
    });

    it('should need at least as many fence characters to close as opened', () => {
      expect(whole('````\n{"a":1}\n```\n````').out).toBe('{"a":1}\n```');
    });

    it('should not close a backtick fence with tildes', () => {
      expect(whole('```\n{"a":1}\n~~~\n```').out).toBe('{"a":1}\n~~~');
    });

    it('should not take a fence line with more than an info word for an opening', () => {
      expect(whole('```json {"a": 1}\n```').out).toBe('```json {"a": 1}\n```');
      expect(whole('```{"a": 1}```').out).toBe('```{"a": 1}```');
    });

    it('should not take fewer than three fence characters for an opening', () => {
      expect(whole('``\n{}\n``').out).toBe('``\n{}\n``');
    });

    it('should keep a fence-like line that has text after the fence characters', () => {
      expect(whole('```\n{"a":\n```x\n1}\n```').out).toBe('{"a":\n```x\n1}');
    });

    it('should give an empty answer for an empty fence', () => {
      expect(whole('```json\n```').out).toBe('');
      expect(whole('```json\n\n\n```\n').out).toBe('');
    });

    it('should close on a fence run at the very end without a line break', () => {
      expect(whole('```\n{}\n```   ').out).toBe('{}');
    });

    it('should keep a short fence run at the end of an unclosed fence', () => {
      expect(whole('```\n{}\n``').out).toBe('{}\n``');
    });

    it('should release an undecided opening line at the end as text', () => {
      expect(whole('```json').out).toBe('```json');
      expect(whole('  ~~~').out).toBe('~~~');
    });

    it('should count every character after the closing fence when any is not blank', () => {
      expect(whole('```\n{}\n```\n\nMore: ```\n{}\n```\n').dropped).toBe('\nMore: ```\n{}\n```\n'.length);
      expect(whole('```\n{}\n```\n \n\t').dropped).toBe(0);
    });
  });

  describe('empty and blank answers', () => {
    it('should give nothing for an empty answer', () => {
      expect(run([]).out).toBe('');
      expect(run(['', '']).out).toBe('');
    });

    it('should give nothing for a whitespace-only answer', () => {
      expect(run([' ', '\n\n', '\t']).out).toBe('');
    });
  });

  describe('streaming', () => {
    it('should emit the middle of a long fenced body in the same call', () => {
      const stripper = new JsonFenceStripper();
      expect(stripper.push('```json\n')).toBe('');
      expect(stripper.push('{"items": [')).toBe('{"items": [');
      const middle = Array.from({ length: 200 }, (_, i) => `"item ${i}"`).join(', ');
      expect(stripper.push(middle)).toBe(middle);
      expect(stripper.push(']}\n')).toBe(']}');
      expect(stripper.push('``')).toBe('');
      expect(stripper.push('`\n')).toBe('');
      expect(stripper.end()).toBe('');
    });

    it('should emit unfenced text at once and hold only trailing blanks', () => {
      const stripper = new JsonFenceStripper();
      expect(stripper.push('  {"a":')).toBe('{"a":');
      expect(stripper.push(' 1')).toBe(' 1');
      expect(stripper.push('}\n ')).toBe('}');
      expect(stripper.end()).toBe('');
    });

    it('should hold a possible closing fence and release it when it turns out to be text', () => {
      const stripper = new JsonFenceStripper();
      stripper.push('```\n{"a":');
      expect(stripper.push('\n``')).toBe('');
      expect(stripper.push('x')).toBe('\n``x');
    });

    it('should hold an opening fence line until its line break', () => {
      const stripper = new JsonFenceStripper();
      expect(stripper.push('``')).toBe('');
      expect(stripper.push('`js')).toBe('');
      expect(stripper.push('on\n{')).toBe('{');
    });

    it('should release a would-be opening as soon as it cannot be one', () => {
      const stripper = new JsonFenceStripper();
      expect(stripper.push('``')).toBe('');
      expect(stripper.push('x')).toBe('``x');
    });

    it('should drop everything pushed after the closing fence and after end', () => {
      const stripper = new JsonFenceStripper();
      expect(stripper.push('```\n{}\n```\n')).toBe('{}');
      expect(stripper.push('{"second": 1}')).toBe('');
      expect(stripper.end()).toBe('');
      expect(stripper.droppedAfterFence).toBe(13);
      expect(stripper.push('late')).toBe('');
      expect(stripper.end()).toBe('');
    });
  });
});
