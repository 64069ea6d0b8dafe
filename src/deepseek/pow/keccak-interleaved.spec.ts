import fc from 'fast-check';
import { readInterleavedLane, toInterleavedState, xorInterleavedLane } from './bit-interleave';
import { keccakF1600 } from './keccak';
import { keccakF1600Interleaved } from './keccak-interleaved';

const word = fc.integer({ min: 0, max: 0xffffffff });

function fromInterleavedState(state: Int32Array): Uint32Array {
  return Uint32Array.from(Array.from({ length: 25 }, (_, lane) => readInterleavedLane(state, lane)).flat());
}

describe('keccakF1600Interleaved', () => {
  it('should round-trip a lane through the interleaved form', () => {
    fc.assert(
      fc.property(word, word, (lo, hi) => {
        const state = new Int32Array(2);
        xorInterleavedLane(state, 0, lo, hi);

        expect(readInterleavedLane(state, 0)).toEqual([lo, hi]);
      }),
    );
  });

  it('should put even bits in the first word and odd bits in the second', () => {
    const state = new Int32Array(2);
    xorInterleavedLane(state, 0, 0b0110, 0x80000001);

    expect([state[0] >>> 0, state[1] >>> 0]).toEqual([0x00010002, 0x80000001]);
  });

  it.each([0, 1])('should permute like keccakF1600 from round %i', (firstRound) => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 50, maxLength: 50 }), (words) => {
        const expected = Uint32Array.from(words);
        keccakF1600(expected, firstRound);
        const state = toInterleavedState(Uint32Array.from(words));
        keccakF1600Interleaved(state, firstRound);

        expect(fromInterleavedState(state)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });
});
