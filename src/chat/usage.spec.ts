import fc from 'fast-check';
import { computeUsage, estimateTokens, TokenEstimator } from './usage';

describe('TokenEstimator', () => {
  it.each<[string, number]>([
    ['', 0],
    ['Hello world', 2],
    ['The quick brown fox jumps over the lazy dog.', 9],
    ['你好', 1],
    ['我们需要理解游戏。', 6],
    ['1234567', 3],
    ['\n\n', 1],
    ['，。', 2],
    ['```markdown\n# 标题\n```', 8],
    ['😀😀', 2],
  ])('should estimate %j as %d tokens', (text, tokens) => {
    expect(estimateTokens(text)).toBe(tokens);
  });

  it('should give the same count however the text is split into deltas', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-composite', maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, cuts) => {
          const estimator = new TokenEstimator();
          let last = 0;
          for (const cut of [...cuts.map((c) => c % (text.length + 1))].sort((a, b) => a - b)) {
            estimator.add(text.slice(last, cut));
            last = cut;
          }
          estimator.add(text.slice(last));
          expect(estimator.tokens).toBe(estimateTokens(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('should never count a negative or fractional number', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const tokens = estimateTokens(text);
        expect(Number.isInteger(tokens) && tokens >= 0).toBe(true);
      }),
    );
  });
});

describe('computeUsage', () => {
  it('should split the upstream total into prompt and answer, reasoning on top', () => {
    expect(computeUsage({ upstreamTotal: 190, promptEstimate: 9, reasoningEstimate: 33, answerEstimate: 132 })).toEqual(
      {
        promptTokens: 58,
        completionTokens: 165,
        reasoningTokens: 33,
        totalTokens: 223,
      },
    );
  });

  it('should clamp the answer to the upstream total', () => {
    expect(computeUsage({ upstreamTotal: 40, promptEstimate: 9, reasoningEstimate: 0, answerEstimate: 55 })).toEqual({
      promptTokens: 0,
      completionTokens: 40,
      reasoningTokens: 0,
      totalTokens: 40,
    });
  });

  it.each([null, 0, -3])('should fall back to the estimates when the upstream total is %p', (upstreamTotal) => {
    expect(computeUsage({ upstreamTotal, promptEstimate: 9, reasoningEstimate: 4, answerEstimate: 12 })).toEqual({
      promptTokens: 9,
      completionTokens: 16,
      reasoningTokens: 4,
      totalTokens: 25,
    });
  });

  it('should keep every count a consistent non-negative integer', () => {
    const count = fc.nat({ max: 100_000 });
    fc.assert(
      fc.property(
        fc.option(count),
        count,
        count,
        count,
        (upstreamTotal, promptEstimate, reasoningEstimate, answerEstimate) => {
          const usage = computeUsage({ upstreamTotal, promptEstimate, reasoningEstimate, answerEstimate });
          for (const value of Object.values(usage)) expect(Number.isInteger(value) && value >= 0).toBe(true);
          expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
          expect(usage.reasoningTokens).toBeLessThanOrEqual(usage.completionTokens);
          if (upstreamTotal) expect(usage.totalTokens).toBe(upstreamTotal + reasoningEstimate);
        },
      ),
    );
  });
});
