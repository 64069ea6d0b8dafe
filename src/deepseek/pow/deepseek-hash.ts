import { keccakF1600 } from './keccak';

const RATE_BYTES = 136;

/**
 * DeepSeekHashV1: SHA3-256 whose Keccak-f[1600] skips round 0 (rounds 1..23 only).
 * Returns the 32-byte digest as lowercase hex.
 */
export function deepSeekHashV1(message: string | Uint8Array): string {
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  const blocks = Math.floor(bytes.length / RATE_BYTES) + 1;
  const padded = new Uint8Array(blocks * RATE_BYTES);
  padded.set(bytes);
  padded[bytes.length] ^= 0x06;
  padded[padded.length - 1] ^= 0x80;

  const state = new Uint32Array(50);
  const words = new DataView(padded.buffer);
  for (let offset = 0; offset < padded.length; offset += RATE_BYTES) {
    for (let w = 0; w < RATE_BYTES / 4; w++) state[w] ^= words.getUint32(offset + 4 * w, true);
    keccakF1600(state, 1);
  }
  return Buffer.from(state.buffer, 0, 32).toString('hex');
}
