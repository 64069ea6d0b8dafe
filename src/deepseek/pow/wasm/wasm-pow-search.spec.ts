import fc from 'fast-check';
import { deepSeekHashV1 } from '../deepseek-hash';
import { PowUnsolvableError } from '../pow-challenge';
import { MAX_POW_DIFFICULTY, PowSearch } from '../pow-search';
import { POW_NO_ANSWER, POW_SOLVE_VECTORS, powChallenge } from '../../../../test/utils/deepseek/pow-test-vectors';
import { isWasmPowAvailable, WasmPowSearch } from './wasm-pow-search';

const ANSWER_42 = POW_SOLVE_VECTORS[2].challenge;
const EXPIRE_AT = 1700000000000;

/** The digit-count boundaries, where the nonce grows by a byte. */
const BOUNDARIES = [9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 999999, 1000000];

const salt = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 150 }),
  fc.integer({ min: 100, max: 400 }).map((length) => 's'.repeat(length)),
);
const nonce = fc.oneof(fc.constantFrom(0, ...BOUNDARIES), fc.nat(250_000), fc.nat(MAX_POW_DIFFICULTY - 1));

/** A challenge whose answer is `answer`, and that both searches are prepared for. */
function searches(saltValue: string, expireAt: number, answer: number, difficulty = answer + 1) {
  const challenge = powChallenge({
    salt: saltValue,
    expireAt,
    difficulty,
    challenge: deepSeekHashV1(`${saltValue}_${expireAt}_${answer}`),
  });
  return { wasm: new WasmPowSearch(challenge), ts: new PowSearch(challenge) };
}

describe('WasmPowSearch', () => {
  it('should run on this Node', () => {
    expect(isWasmPowAvailable()).toBe(true);
  });

  it('should hash like deepSeekHashV1 for any salt and nonce that fit the final block', () => {
    let hashed = 0;
    fc.assert(
      fc.property(salt, fc.nat(2 ** 45), nonce, (saltValue, expireAt, n) => {
        const prefixBytes = Buffer.byteLength(`${saltValue}_${expireAt}_`, 'utf8');
        const digest = new WasmPowSearch(
          powChallenge({ salt: saltValue, expireAt, difficulty: 1, challenge: '' }),
        ).digest(n);

        if (digest === null) {
          expect((prefixBytes % 136) + String(n).length).toBeGreaterThanOrEqual(136);
        } else {
          hashed++;
          expect(digest).toBe(deepSeekHashV1(`${saltValue}_${expireAt}_${n}`));
        }
      }),
      { numRuns: 300 },
    );
    expect(hashed).toBeGreaterThan(200);
  });

  it.each([
    ['0123456789abcdef0123', 1700000000000, 143999, '49fb336330ea8af8e46df669a1fe34016de2755469cf401ee44a9f637903c3fc'],
    ['a1b2c3d4e5f60718293a', 1764140000000, 0, '51dd07a67db58e017b13074339ca078615527d11485e40950b2f1fe630b09d4d'],
    ['45c48cce2e2d7fbdea1a', 1700000000000, 999, 'd4981348939b50743d9c603575eae81a226617eb6dacfd0c9bad48e691c8c7d5'],
  ])('should hash the §6.3 vector %s_%i_%i', (saltValue, expireAt, n, expected) => {
    const search = new WasmPowSearch(powChallenge({ salt: saltValue, expireAt, difficulty: 1, challenge: '' }));

    expect(search.digest(n)).toBe(expected);
  });

  it.each(POW_SOLVE_VECTORS.map(({ challenge, answer }) => [answer, challenge.salt, challenge]))(
    'should find %i for salt %s, as PowSearch does',
    (answer, _salt, challenge) => {
      expect(new WasmPowSearch(challenge).scan(0, challenge.difficulty)).toBe(answer);
      expect(new PowSearch(challenge).scan(0, challenge.difficulty)).toBe(answer);
    },
  );

  it('should find no answer when the only match is the nonce equal to the difficulty', () => {
    expect(new WasmPowSearch(POW_NO_ANSWER).scan(0, Infinity)).toBe(-1);
    expect(new WasmPowSearch({ ...POW_NO_ANSWER, difficulty: 144001 }).scan(0, Infinity)).toBe(144000);
  });

  it.each(BOUNDARIES)('should find the answer %i from either side of its digit-count boundary', (answer) => {
    const { wasm, ts } = searches('0123456789abcdef0123', EXPIRE_AT, answer, 2_000_000);

    for (const [from, to] of [
      [answer - 3, answer + 3],
      [answer, answer + 1],
      [Math.max(0, answer - 20), answer + 20],
    ]) {
      expect(wasm.scan(from, to)).toBe(answer);
      expect(ts.scan(from, to)).toBe(answer);
    }
    expect(wasm.scan(answer - 5, answer)).toBe(-1);
    expect(wasm.scan(answer + 1, answer + 5)).toBe(-1);
  });

  it('should agree with PowSearch for any salt, answer and range', () => {
    const answer = fc.oneof(fc.constantFrom(...BOUNDARIES.slice(0, 10)), fc.nat(2000));
    fc.assert(
      fc.property(salt, fc.nat(2 ** 45), answer, fc.nat(30), fc.nat(30), (saltValue, expireAt, n, before, after) => {
        const { wasm, ts } = searches(saltValue, expireAt, n, n + 1 + after);
        const from = Math.max(0, n - before);
        const to = n + 1 + after;

        expect(wasm.scan(from, to)).toBe(n);
        expect(ts.scan(from, to)).toBe(n);
        expect(wasm.scan(from, n)).toBe(-1);
        expect(searches(saltValue, expireAt, n, n).wasm.scan(0, Infinity)).toBe(-1);
      }),
      { numRuns: 80 },
    );
  });

  it.each([116, 117, 118, 119, 120, 121, 122, 240, 252, 253, 254, 255, 256, 257, 258])(
    'should find answers whose digits meet or cross the block boundary for a %i-byte salt',
    (saltLength) => {
      const saltValue = 's'.repeat(saltLength);
      for (const answer of [9, 10, 99, 100, 999, 1000]) {
        const { wasm, ts } = searches(saltValue, EXPIRE_AT, answer, 2000);

        expect(wasm.scan(0, 2000)).toBe(answer);
        expect(ts.scan(0, 2000)).toBe(answer);
      }
    },
  );

  it('should compare the challenge hex case-insensitively', () => {
    expect(new WasmPowSearch({ ...ANSWER_42, challenge: ANSWER_42.challenge.toUpperCase() }).scan(0, 100)).toBe(42);
  });

  it.each([['zz' + ANSWER_42.challenge.slice(2)], [ANSWER_42.challenge.slice(1)], [`${ANSWER_42.challenge}00`], ['']])(
    'should never match the malformed challenge %j',
    (challenge) => {
      expect(new WasmPowSearch({ ...ANSWER_42, challenge }).scan(0, 1000)).toBe(-1);
    },
  );

  it('should search only [from, to) within [0, difficulty)', () => {
    const search = new WasmPowSearch(ANSWER_42);

    expect(search.scan(40, 50)).toBe(42);
    expect(search.scan(43, Infinity)).toBe(-1);
    expect(search.scan(0, 42)).toBe(-1);
    expect(search.scan(-10, 42.5)).toBe(42);
    expect(search.scan(41.5, 43)).toBe(42);
    expect(search.scan(Number.NaN, 100)).toBe(-1);
    expect(new WasmPowSearch({ ...ANSWER_42, difficulty: 42 }).scan(0, 1000)).toBe(-1);
  });

  it('should keep the search state between calls', () => {
    const search = new WasmPowSearch(ANSWER_42);

    expect(search.scan(0, 10)).toBe(-1);
    expect(search.digest(7)).toBe(deepSeekHashV1(`${ANSWER_42.salt}_${ANSWER_42.expireAt}_7`));
    expect(search.scan(0, 1000)).toBe(42);
    expect(search.scan(0, 1000)).toBe(42);
  });

  it('should give each search its own answers when searches on one thread take turns', () => {
    const [first, second] = [POW_SOLVE_VECTORS[2], POW_SOLVE_VECTORS[6]];
    const a = new WasmPowSearch(first.challenge);
    const b = new WasmPowSearch(second.challenge);

    expect(a.scan(0, first.answer)).toBe(-1);
    expect(b.scan(0, second.answer)).toBe(-1);
    expect(b.digest(3)).toBe(deepSeekHashV1(`${second.challenge.salt}_${second.challenge.expireAt}_3`));
    expect(a.scan(first.answer, first.challenge.difficulty)).toBe(first.answer);
    expect(b.scan(second.answer, second.challenge.difficulty)).toBe(second.answer);
    expect(a.digest(3)).toBe(deepSeekHashV1(`${first.challenge.salt}_${first.challenge.expireAt}_3`));
  });

  it('should reject an unsupported challenge like PowSearch', () => {
    expect(() => new WasmPowSearch({ ...ANSWER_42, algorithm: 'DeepSeekHashV2' })).toThrow(PowUnsolvableError);
    expect(() => new WasmPowSearch({ ...ANSWER_42, difficulty: MAX_POW_DIFFICULTY + 1 })).toThrow(PowUnsolvableError);
  });

  it('should refuse to hash something that is not a nonce', () => {
    const search = new WasmPowSearch(ANSWER_42);

    expect(() => search.digest(-1)).toThrow(RangeError);
    expect(() => search.digest(1.5)).toThrow(RangeError);
  });
});
