import { parseApiKeys } from './api-keys';

describe('parseApiKeys', () => {
  it('should read keys with and without their own concurrency, the others at the default', () => {
    expect(parseApiKeys('sk-a,sk-b=4', 2)).toEqual([
      { key: 'sk-a', concurrency: 2 },
      { key: 'sk-b', concurrency: 4 },
    ]);
  });

  it('should give keys without a concurrency the default it is called with', () => {
    expect(parseApiKeys('sk-a,sk-b', 7)).toEqual([
      { key: 'sk-a', concurrency: 7 },
      { key: 'sk-b', concurrency: 7 },
    ]);
  });

  it('should trim spaces around entries and skip empty ones', () => {
    expect(parseApiKeys('  sk-a = ', 1)).toBeNull();
    expect(parseApiKeys(' sk-a , ,sk-b=3 ,', 1)).toEqual([
      { key: 'sk-a', concurrency: 1 },
      { key: 'sk-b', concurrency: 3 },
    ]);
  });

  it('should give no keys for an empty or blank text', () => {
    expect(parseApiKeys('', 1)).toEqual([]);
    expect(parseApiKeys(' , ', 1)).toEqual([]);
  });

  it('should keep the first of duplicate keys with its concurrency', () => {
    expect(parseApiKeys('sk-a=3,sk-b,sk-a=9,sk-a', 1)).toEqual([
      { key: 'sk-a', concurrency: 3 },
      { key: 'sk-b', concurrency: 1 },
    ]);
  });

  it.each([
    ['a zero concurrency', 'sk-a=0'],
    ['a negative concurrency', 'sk-a=-1'],
    ['a fractional concurrency', 'sk-a=1.5'],
    ['a concurrency that is not a number', 'sk-a=two'],
    ['a missing concurrency after =', 'sk-a='],
    ['a space inside a key', 'sk a'],
    ['a space between key and =', 'sk-a =2'],
    ['a missing key', '=2'],
    ['two = signs', 'sk-a=2=3'],
    ['a concurrency beyond safe integers', 'sk-a=99999999999999999999'],
  ])('should refuse the whole list for %s', (_what, entry) => {
    expect(parseApiKeys(`sk-good,${entry}`, 1)).toBeNull();
  });

  it('should refuse keys without a concurrency when the default itself is below 1', () => {
    expect(parseApiKeys('sk-a', 0)).toBeNull();
    expect(parseApiKeys('sk-a=2', 0)).toEqual([{ key: 'sk-a', concurrency: 2 }]);
  });
});
