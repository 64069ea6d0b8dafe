import { deepSeekHashV1 } from './deepseek-hash';

// Vectors from ../shared/fixtures/pow-vectors.json; the first seven were confirmed against DeepSeek's own solver.
describe('deepSeekHashV1', () => {
  it.each([
    ['', 'e594808bc5b7151ac160c6d39a02e0a8e261ed588578403099e3561dc40c26b3'],
    ['abc', 'f841106c601ce9be9bc38525e90d4178d47f21dd8eb9f238fc55ffaa4ca94506'],
    ['DeepSeekHashV1', '3fc52c4ae40faa946b1bc0eeb747059a35fba6efaa3d616074e720d6e99436cd'],
    ['a'.repeat(135), '1e3eb415bb0b3ecec08a6f71cf7c8d0591b5594752ba52802a2e60357834f998'],
    ['a'.repeat(136), '680364b336f77918ed390287a581f96f1371599825acd1e348fa7649fcecbbab'],
    ['x'.repeat(200), '41b0a09661e724ea607529785d4c01492aa145e7f62f82af0d52cf25cb569f2a'],
    ['0123456789abcdef0123_1700000000000_143999', '49fb336330ea8af8e46df669a1fe34016de2755469cf401ee44a9f637903c3fc'],
    [
      'd3d9446802a44259755d38e6d163e820_1776000000000_200001',
      '5be1123f66036891605a2dc500502f01303c4855d82fa2c1f625d8ebe4ac18a5',
    ],
  ])('should hash %j like DeepSeek does', (input, expected) => {
    expect(deepSeekHashV1(input)).toBe(expected);
  });

  it('should hash bytes and the equal string alike', () => {
    expect(deepSeekHashV1(Buffer.from('abc'))).toBe(deepSeekHashV1('abc'));
  });
});
