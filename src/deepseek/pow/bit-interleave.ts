/**
 * Bit-interleaved lanes: a 64-bit lane is held as two 32-bit words, its even bits and its odd bits.
 * A 64-bit rotation then becomes two 32-bit rotations, which V8 compiles to native `ror`.
 */

// Gathers the even bits of x into its low half and the odd bits into its high half.
function unzip(x: number): number {
  let t = (x ^ (x >>> 1)) & 0x22222222;
  x ^= t ^ (t << 1);
  t = (x ^ (x >>> 2)) & 0x0c0c0c0c;
  x ^= t ^ (t << 2);
  t = (x ^ (x >>> 4)) & 0x00f000f0;
  x ^= t ^ (t << 4);
  t = (x ^ (x >>> 8)) & 0x0000ff00;
  return x ^ t ^ (t << 8);
}

// Inverse of unzip.
function zip(x: number): number {
  let t = (x ^ (x >>> 8)) & 0x0000ff00;
  x ^= t ^ (t << 8);
  t = (x ^ (x >>> 4)) & 0x00f000f0;
  x ^= t ^ (t << 4);
  t = (x ^ (x >>> 2)) & 0x0c0c0c0c;
  x ^= t ^ (t << 2);
  t = (x ^ (x >>> 1)) & 0x22222222;
  return x ^ t ^ (t << 1);
}

/** XORs the lane `lo | hi << 32` (little-endian words) into `state` at `lane`, bit-interleaved. */
export function xorInterleavedLane(state: Int32Array, lane: number, lo: number, hi: number): void {
  const l = unzip(lo);
  const h = unzip(hi);
  state[2 * lane] ^= (l & 0xffff) | (h << 16);
  state[2 * lane + 1] ^= (l >>> 16) | (h & 0xffff0000);
}

/** Reads lane `lane` of an interleaved state back as little-endian words `[lo, hi]`. */
export function readInterleavedLane(state: Int32Array, lane: number): [lo: number, hi: number] {
  const even = state[2 * lane];
  const odd = state[2 * lane + 1];
  return [zip((even & 0xffff) | (odd << 16)) >>> 0, zip((even >>> 16) | (odd & 0xffff0000)) >>> 0];
}

/** Converts a state of 50 little-endian words (as `keccakF1600` uses) to the interleaved form. */
export function toInterleavedState(words: Uint32Array | Int32Array): Int32Array {
  const state = new Int32Array(50);
  for (let lane = 0; lane < 25; lane++) xorInterleavedLane(state, lane, words[2 * lane], words[2 * lane + 1]);
  return state;
}
