/**
 * Token counts for the usage block. The upstream reports one number, `accumulated_token_usage`. The
 * real upstream captures the calibration spec replays show what it covers: every upstream text delta is one token, and
 * `accumulated_token_usage − answer tokens` is the same for captures with the same prompt (45 and 45,
 * 232 and 232) and equals the usage of a round with no answer (2413), whatever the thinking length
 * (31 … 33,215 tokens). So it is prompt + answer; thinking is NOT in it, and
 * estimate(prompt) + estimate(reasoning) + estimate(answer) overshoots it by 0.92× … 13.7×
 * (174/190, 2338/2024, 2647/1357, 1226/550, 35044/2551).
 *
 * Hence: answer = our estimate (clamped to the total); prompt = total − answer, which also counts what
 * we cannot see (the web's hidden system text, a native continuation's earlier turns); reasoning = our
 * estimate, on top of the total. Without an upstream total every part is an estimate.
 *
 * Estimator vs real tokens in the captures:
 *   thinking  33,215 → 32,376 (−2.5%)   492 → 497   1,479 → 1,493   31 → 33   654 → 722 (+10%)
 *   answer       138 → 130              1,792 → 1,797   1,125 → 1,110   145 → 132 (−9%)   505 → 495
 *   the one exactly known upstream prompt (9,221 chars, English + Chinese): 2,413 → 2,538 (+5.2%)
 * computeUsage: prompt 2,421 / 227 / 247 / 58 / 55 vs real 2,413 / 232 / 232 / 45 / 45; total incl.
 * thinking within −2.3% … +5.6% of the real count.
 */

/** Neutral usage, mapped to OpenAI's or Anthropic's shape by the wire layers. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  /** Part of completionTokens. */
  reasoningTokens: number;
  totalTokens: number;
  /** Part of promptTokens read from the upstream's prompt cache (the official API reports it; the web does not). */
  cachedTokens?: number;
}

// Weights per character class, fitted on the captures (DeepSeek's own rule of thumb is 0.6 per CJK
// character). ASCII words cost 0.5 + 0.125 per letter; one space before a word merges into it.
const CJK = 0.6;
const WIDE_PUNCTUATION = 1;
const WORD_BASE = 0.5;
const WORD_LETTER = 0.125;
const SPACE_RUN = 0.5;
const DIGITS_PER_TOKEN = 3;
const NEWLINE_RUN = 0.75;
const ASCII_PUNCTUATION = 0.5;
const OTHER = 1;

const enum Run {
  None,
  Word,
  Digits,
  Spaces,
  Newlines,
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isCjk = (c: number) =>
  (c >= 0x4e00 && c <= 0x9fff) ||
  (c >= 0x3400 && c <= 0x4dbf) ||
  (c >= 0xf900 && c <= 0xfaff) ||
  (c >= 0x3040 && c <= 0x30ff) ||
  (c >= 0xac00 && c <= 0xd7af);
const isWidePunctuation = (c: number) => (c >= 0x3000 && c <= 0x303f) || (c >= 0xff00 && c <= 0xffef);
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Character-class token estimate, fed incrementally: the result for a text does not depend on how it
 * was split into deltas.
 */
export class TokenEstimator {
  private sum = 0;
  private run = Run.None;
  private runLength = 0;

  add(text: string): void {
    for (let i = 0; i < text.length; i++) this.addChar(text.charCodeAt(i));
  }

  /**
   * Adds the longest start of `text` that keeps `tokens` at or below `maxTokens`; returns its length
   * in UTF-16 units. The count never decreases as text is added, and never splits a surrogate pair
   * (the low half costs nothing).
   */
  addWithin(text: string, maxTokens: number): number {
    for (let i = 0; i < text.length; i++) {
      const { sum, run, runLength } = this;
      this.addChar(text.charCodeAt(i));
      if (this.tokens > maxTokens) {
        this.sum = sum;
        this.run = run;
        this.runLength = runLength;
        return i;
      }
    }
    return text.length;
  }

  /** Whole tokens so far (the open run counted as if the text ended here). */
  get tokens(): number {
    return Math.round(this.sum + this.runCost(-1));
  }

  private addChar(c: number): void {
    if (isLetter(c)) this.extend(Run.Word, c);
    else if (isDigit(c)) this.extend(Run.Digits, c);
    else if (c === 32 || c === 9) this.extend(Run.Spaces, c);
    else if (c === 10 || c === 13) this.extend(Run.Newlines, c);
    else {
      this.closeRun(c);
      if (c < 128) this.sum += ASCII_PUNCTUATION;
      else if (isCjk(c)) this.sum += CJK;
      else if (isWidePunctuation(c)) this.sum += WIDE_PUNCTUATION;
      else if (!isLowSurrogate(c)) this.sum += OTHER;
    }
  }

  private extend(run: Run, c: number): void {
    if (this.run === run) {
      this.runLength++;
      return;
    }
    this.closeRun(c);
    this.run = run;
    this.runLength = 1;
  }

  private closeRun(next: number): void {
    this.sum += this.runCost(next);
    this.run = Run.None;
    this.runLength = 0;
  }

  private runCost(next: number): number {
    switch (this.run) {
      case Run.None:
        return 0;
      case Run.Word:
        return WORD_BASE + WORD_LETTER * this.runLength;
      case Run.Digits:
        return Math.ceil(this.runLength / DIGITS_PER_TOKEN);
      case Run.Spaces:
        return this.runLength === 1 && isLetter(next) ? 0 : SPACE_RUN;
      case Run.Newlines:
        return NEWLINE_RUN;
    }
  }
}

export function estimateTokens(text: string): number {
  const estimator = new TokenEstimator();
  estimator.add(text);
  return estimator.tokens;
}

export interface UsageInputs {
  /** `accumulated_token_usage`, or null when the upstream sent none. */
  upstreamTotal: number | null;
  promptEstimate: number;
  reasoningEstimate: number;
  answerEstimate: number;
}

export function computeUsage({
  upstreamTotal,
  promptEstimate,
  reasoningEstimate,
  answerEstimate,
}: UsageInputs): ChatUsage {
  const total = upstreamTotal !== null && upstreamTotal > 0 ? Math.round(upstreamTotal) : null;
  const answerTokens = total === null ? answerEstimate : Math.min(answerEstimate, total);
  const promptTokens = total === null ? promptEstimate : total - answerTokens;
  const completionTokens = answerTokens + reasoningEstimate;
  return {
    promptTokens,
    completionTokens,
    reasoningTokens: reasoningEstimate,
    totalTokens: promptTokens + completionTokens,
  };
}

/** The usage of an answer that took two upstream turns (a corrective re-ask): both were paid for. */
export function addUsage(a: ChatUsage, b: ChatUsage): ChatUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
}
