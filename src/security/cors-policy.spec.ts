import { corsOriginsFor } from './cors-policy';

describe('corsOriginsFor', () => {
  it.each([
    ['direct', '*'],
    ['managed', '*'],
    ['open', null],
  ] as const)('should default %s mode to %j', (mode, origins) => {
    expect(corsOriginsFor(mode, null)).toEqual(origins);
  });

  it('should let explicit CORS_ORIGINS win in every mode', () => {
    for (const mode of ['direct', 'managed', 'open'] as const) {
      expect(corsOriginsFor(mode, ['https://app.example.com'])).toEqual(['https://app.example.com']);
      expect(corsOriginsFor(mode, '*')).toBe('*');
    }
  });
});
