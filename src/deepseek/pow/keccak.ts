/**
 * Keccak-f[1600] on 32-bit halves (no BigInt): lane i of the state is `state[2i]` (low word) and
 * `state[2i + 1]` (high word), little-endian as in the byte layout of SHA-3.
 */

// Round constants RC[0..23] as [low, high] word pairs.
export const ROUND_CONSTANTS = new Uint32Array([
  0x00000001, 0x00000000, 0x00008082, 0x00000000, 0x0000808a, 0x80000000, 0x80008000, 0x80000000, 0x0000808b,
  0x00000000, 0x80000001, 0x00000000, 0x80008081, 0x80000000, 0x00008009, 0x80000000, 0x0000008a, 0x00000000,
  0x00000088, 0x00000000, 0x80008009, 0x00000000, 0x8000000a, 0x00000000, 0x8000808b, 0x00000000, 0x0000008b,
  0x80000000, 0x00008089, 0x80000000, 0x00008003, 0x80000000, 0x00008002, 0x80000000, 0x00000080, 0x80000000,
  0x0000800a, 0x00000000, 0x8000000a, 0x80000000, 0x80008081, 0x80000000, 0x00008080, 0x80000000, 0x80000001,
  0x00000000, 0x80008008, 0x80000000,
]);

// ρ rotation offset of lane x + 5y.
export const RHO = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

// π: lane x + 5y moves to lane y + 5((2x + 3y) mod 5).
export const PI = RHO.map((_, i) => {
  const x = i % 5;
  const y = Math.floor(i / 5);
  return y + 5 * ((2 * x + 3 * y) % 5);
});

const c = new Uint32Array(10);
const b = new Uint32Array(50);

/** Applies rounds `firstRound`..23 of Keccak-f[1600] to `state` (50 words) in place. */
export function keccakF1600(state: Uint32Array, firstRound = 0): void {
  for (let round = firstRound; round < 24; round++) {
    // θ
    for (let x = 0; x < 5; x++) {
      c[2 * x] = state[2 * x] ^ state[2 * x + 10] ^ state[2 * x + 20] ^ state[2 * x + 30] ^ state[2 * x + 40];
      c[2 * x + 1] = state[2 * x + 1] ^ state[2 * x + 11] ^ state[2 * x + 21] ^ state[2 * x + 31] ^ state[2 * x + 41];
    }
    for (let x = 0; x < 5; x++) {
      const prev = (x + 4) % 5;
      const next = (x + 1) % 5;
      const lo = c[2 * prev] ^ ((c[2 * next] << 1) | (c[2 * next + 1] >>> 31));
      const hi = c[2 * prev + 1] ^ ((c[2 * next + 1] << 1) | (c[2 * next] >>> 31));
      for (let y = 0; y < 25; y += 5) {
        state[2 * (x + y)] ^= lo;
        state[2 * (x + y) + 1] ^= hi;
      }
    }
    // ρ and π
    for (let i = 0; i < 25; i++) {
      const lo = state[2 * i];
      const hi = state[2 * i + 1];
      const n = RHO[i];
      const to = 2 * PI[i];
      if (n === 0) {
        b[to] = lo;
        b[to + 1] = hi;
      } else if (n < 32) {
        b[to] = (lo << n) | (hi >>> (32 - n));
        b[to + 1] = (hi << n) | (lo >>> (32 - n));
      } else if (n === 32) {
        b[to] = hi;
        b[to + 1] = lo;
      } else {
        const m = n - 32;
        b[to] = (hi << m) | (lo >>> (32 - m));
        b[to + 1] = (lo << m) | (hi >>> (32 - m));
      }
    }
    // χ
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const i = 2 * (x + y);
        const i1 = 2 * (((x + 1) % 5) + y);
        const i2 = 2 * (((x + 2) % 5) + y);
        state[i] = b[i] ^ (~b[i1] & b[i2]);
        state[i + 1] = b[i + 1] ^ (~b[i1 + 1] & b[i2 + 1]);
      }
    }
    // ι
    state[0] ^= ROUND_CONSTANTS[2 * round];
    state[1] ^= ROUND_CONSTANTS[2 * round + 1];
  }
}
