import { CALL_ID_PATTERN, newCallId, newToolUseId, randomAlphanumeric, TOOL_USE_ID_PATTERN } from './tool-ids';

describe('tool call ids', () => {
  it('makes call_ and toolu_ ids of 24 alphanumerics', () => {
    expect(newCallId()).toMatch(CALL_ID_PATTERN);
    expect(newToolUseId()).toMatch(TOOL_USE_ID_PATTERN);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 2000 }, newCallId));
    expect(ids.size).toBe(2000);
  });

  it('uses the whole alphabet', () => {
    const seen = new Set(randomAlphanumeric(20000));
    expect(seen.size).toBe(62);
  });
});
