import { replyText } from './scenarios';

/**
 * What the fake answers: `plain` prose, or `angle-brackets`, text in which every frame ends with something
 * that could still open a tool-call tag (`<d`, `<t`, `<f`: the start of `<dsml…`, `<tool_calls`,
 * `<function_calls`), so the gateway's markup parser holds that tail until the next frame shows it is not
 * one. The first frame is such a start and nothing else (`<fun`), so it is held whole: the first content
 * token then leaves with the second frame, one frame interval late, the worst case of the hold-back.
 * Without tools declared the gateway does not parse, and the same text passes through as it arrives.
 */
export type AnswerText = 'plain' | 'angle-brackets';

/** The first frame of an `angle-brackets` answer: a prefix of `<function_calls`, held whole. */
const HELD_OPENING = '<function_call';
const HELD_TAILS = ['<d', '<t', '<f'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Answer text that the fake splits into exactly `frames` frames of `charsPerFrame` characters. */
export function answerText(kind: AnswerText, frames: number, charsPerFrame: number): string {
  return kind === 'plain' ? replyText(frames, charsPerFrame) : angleBracketText(frames, charsPerFrame);
}

/** `<fun` `a <d` `b <t` `c <f` `d <d` … (with 4 characters per frame). */
export function angleBracketText(frames: number, charsPerFrame: number): string {
  if (charsPerFrame < 3 || charsPerFrame > HELD_OPENING.length) {
    throw new RangeError(`an angle-bracket answer needs 3–${HELD_OPENING.length} characters per frame`);
  }
  const parts = [HELD_OPENING.slice(0, charsPerFrame)];
  for (let i = 1; i < frames; i++) {
    const letter = LETTERS[(i - 1) % LETTERS.length];
    const head = charsPerFrame === 3 ? letter : `${letter.repeat(charsPerFrame - 3)} `;
    parts.push(head + HELD_TAILS[(i - 1) % HELD_TAILS.length]);
  }
  return parts.join('');
}
