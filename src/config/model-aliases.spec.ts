import { readEnvironment } from './environment';
import { DEFAULT_MODEL_ALIASES, parseModelAliases, resolveAlias } from './model-aliases';

describe('model aliases', () => {
  const defaults = parseModelAliases(DEFAULT_MODEL_ALIASES)!;

  it.each([
    ['claude-opus-4-1-20250805', 'deepseek-reasoner'],
    ['claude-sonnet-4-5', 'deepseek-reasoner'],
    ['Claude-Haiku-4-5', 'deepseek-chat'],
    ['claude-3-7-other', 'claude-3-7-other'],
    ['deepseek-v4-pro', 'deepseek-v4-pro'],
  ])('should send %s to %s by default', (name, target) => {
    expect(resolveAlias(name, defaults)).toBe(target);
  });

  it('should match exact names, take the first matching rule and allow spaces around rules', () => {
    const aliases = parseModelAliases('claude-opus-4=deepseek-v4-pro, claude-opus*=deepseek-chat')!;
    expect(resolveAlias('claude-opus-4', aliases)).toBe('deepseek-v4-pro');
    expect(resolveAlias('claude-opus-4-1', aliases)).toBe('deepseek-chat');
  });

  it.each(['claude*', 'claude=', '=deepseek-chat', 'a=b=c', 'claude opus=x'])('should refuse %p', (text) => {
    expect(parseModelAliases(text)).toBeNull();
  });

  it('should refuse a malformed MODEL_ALIASES at start-up, naming it', () => {
    expect(() => readEnvironment({ MODEL_ALIASES: 'claude*' })).toThrow(/MODEL_ALIASES/);
  });
});
