import fc from 'fast-check';
import { deepSeekHashV1 } from './deepseek-hash';
import { PowUnsolvableError } from './pow-challenge';
import { findPowAnswer, MAX_POW_DIFFICULTY } from './pow-search';
import { POW_NO_ANSWER, POW_SOLVE_VECTORS, powChallenge } from '../../../test/utils/deepseek/pow-test-vectors';

const ANSWER_42 = POW_SOLVE_VECTORS[2].challenge;

describe('findPowAnswer', () => {
  it.each(POW_SOLVE_VECTORS.map(({ challenge, answer }) => [answer, challenge.salt, challenge]))(
    'should find %i for salt %s',
    (answer, _salt, challenge) => {
      expect(findPowAnswer(challenge)).toBe(answer);
    },
  );

  it('should find no answer when the only match is the nonce equal to the difficulty', () => {
    expect(findPowAnswer(POW_NO_ANSWER)).toBeNull();
    expect(findPowAnswer({ ...POW_NO_ANSWER, difficulty: 144001 })).toBe(144000);
  });

  it('should compare the challenge hex case-insensitively', () => {
    expect(findPowAnswer({ ...ANSWER_42, challenge: ANSWER_42.challenge.toUpperCase() })).toBe(42);
  });

  it.each([['zz' + ANSWER_42.challenge.slice(2)], [ANSWER_42.challenge.slice(1)], [`${ANSWER_42.challenge}00`], ['']])(
    'should never match the malformed challenge %j',
    (challenge) => {
      expect(findPowAnswer({ ...ANSWER_42, challenge })).toBeNull();
    },
  );

  it('should search only [from, to) within [0, difficulty)', () => {
    expect(findPowAnswer(ANSWER_42, 40, 50)).toBe(42);
    expect(findPowAnswer(ANSWER_42, 43)).toBeNull();
    expect(findPowAnswer(ANSWER_42, 0, 42)).toBeNull();
    expect(findPowAnswer({ ...ANSWER_42, difficulty: 42 }, 0, 1000)).toBeNull();
  });

  it('should reject an algorithm other than DeepSeekHashV1', () => {
    expect(() => findPowAnswer({ ...ANSWER_42, algorithm: 'DeepSeekHashV2' })).toThrow(PowUnsolvableError);
    expect(() => findPowAnswer({ ...ANSWER_42, algorithm: 'DeepSeekHashV2' })).toThrow(/algorithm "DeepSeekHashV2"/);
  });

  it.each([-1, 1.5, Number.NaN, MAX_POW_DIFFICULTY + 1])('should reject the difficulty %d', (difficulty) => {
    expect(() => findPowAnswer({ ...ANSWER_42, difficulty })).toThrow(PowUnsolvableError);
  });

  it('should agree with plain hashing for any salt, including messages longer than one block', () => {
    const salt = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 80 }));
    fc.assert(
      fc.property(salt, fc.nat(2 ** 45), fc.nat(250), fc.nat(20), (salt, expireAt, answer, slack) => {
        const challenge = deepSeekHashV1(`${salt}_${expireAt}_${answer}`);
        const solvable = powChallenge({ salt, expireAt, challenge, difficulty: answer + 1 + slack });

        expect(findPowAnswer(solvable)).toBe(answer);
        expect(findPowAnswer({ ...solvable, difficulty: answer })).toBeNull();
      }),
      { numRuns: 60 },
    );
  });

  it.each([116, 117, 118, 119, 120, 121, 122, 240, 253])(
    'should find answers whose digits cross the block boundary for a %i-byte salt',
    (saltLength) => {
      const salt = 's'.repeat(saltLength);
      for (const answer of [9, 10, 99, 100, 1000]) {
        const challenge = deepSeekHashV1(`${salt}_1700000000000_${answer}`);

        expect(findPowAnswer(powChallenge({ salt, expireAt: 1700000000000, challenge, difficulty: 2000 }))).toBe(
          answer,
        );
      }
    },
  );
});
