import { describeWithShared, loadCaptures } from '../../test/utils/shared-fixtures';
import { readSseBlocks } from '../../test/utils/sse/sse-reader';
import { computeUsage, estimateTokens } from './usage';

/**
 * Real token counts from the captures: every upstream text delta is one token. Counted per fragment
 * type; a continue round's snapshot restates text already counted, so only round 1's snapshot counts.
 */
function countDeltaTokens(stream: Buffer): Record<string, number> {
  const counts: Record<string, number> = {};
  const bump = (type: string) => (counts[type] = (counts[type] ?? 0) + 1);
  let current: string | null = null;
  let round = 0;
  for (const block of readSseBlocks(stream.toString('utf8')).blocks) {
    if (block.event === 'ready') round++;
    if (block.data === null) continue;
    let data: any;
    try {
      data = JSON.parse(block.data);
    } catch {
      continue;
    }
    const { p, v } = data ?? {};
    if (v?.response) {
      const fragments: { type: string }[] = v.response.fragments ?? [];
      current = fragments.at(-1)?.type ?? current;
      if (round === 1) fragments.forEach((fragment) => bump(fragment.type));
    } else if (p === 'response/fragments' && Array.isArray(v)) {
      for (const fragment of v) bump((current = fragment.type as string));
    } else if (typeof v === 'string' && (p === undefined || String(p).endsWith('/content')) && current) {
      bump(current);
    }
  }
  return counts;
}

const within = (actual: number, expected: number, relative: number, absolute: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.max(absolute, expected * relative));

describeWithShared('usage calibration on the shared captures', () => {
  const captures = loadCaptures().map((capture) => {
    const counts = countDeltaTokens(capture.stream);
    const total: number = capture.expected.accumulated_token_usage;
    return {
      ...capture,
      thinkTokens: counts.THINK ?? 0,
      answerTokens: counts.RESPONSE ?? 0,
      total,
      realPrompt: total - (counts.RESPONSE ?? 0),
    };
  });
  const byId = (prefix: string) => captures.filter((c) => c.id.startsWith(prefix));

  it('should find all five captures', () => {
    expect(captures).toHaveLength(5);
  });

  it('should show that accumulated_token_usage is prompt + answer, without the thinking', () => {
    expect(byId('markdown-format-example').map((c) => c.realPrompt)).toEqual([45, 45]);
    expect(byId('longtext').map((c) => c.realPrompt)).toEqual([232, 232]);
    const [resumed] = byId('continue');
    expect(resumed.realPrompt).toBe(resumed.expected.rounds[0].accumulated_token_usage);
    expect(resumed.thinkTokens).toBeGreaterThan(10 * resumed.total);
  });

  it('should estimate thinking and answer text within 12% (15 tokens for short texts)', () => {
    for (const capture of captures) {
      within(estimateTokens(capture.expected.reasoning), capture.thinkTokens, 0.12, 15);
      within(estimateTokens(capture.expected.content), capture.answerTokens, 0.12, 15);
    }
  });

  it('should estimate the one exactly known upstream prompt within 6%', () => {
    const [resumed] = byId('continue');
    within(estimateTokens(resumed.meta.request.prompt), resumed.realPrompt, 0.06, 0);
  });

  it('should report prompt tokens within 10% (15 tokens) and totals within 6% of the real counts', () => {
    for (const capture of captures) {
      const usage = computeUsage({
        upstreamTotal: capture.total,
        promptEstimate: 0,
        reasoningEstimate: estimateTokens(capture.expected.reasoning),
        answerEstimate: estimateTokens(capture.expected.content),
      });
      within(usage.promptTokens, capture.realPrompt, 0.1, 15);
      within(usage.totalTokens, capture.total + capture.thinkTokens, 0.06, 15);
    }
  });
});
