import { keccakF1600 } from './keccak';
import { PowChallenge } from './pow-challenge';

/** Bytes absorbed per Keccak-f call in SHA3-256. */
export const RATE_BYTES = 136;

const HEX_DIGEST = /^[0-9a-f]{64}$/i;

/** `salt_expireAt_` in UTF-8: every candidate message is this plus the decimal nonce (§6.2). */
export function powPrefix(challenge: PowChallenge): Buffer {
  return Buffer.from(`${challenge.salt}_${challenge.expireAt}_`, 'utf8');
}

/** The 32 digest bytes to find, or null when the challenge is not 64 hex digits: then no nonce ever matches. */
export function challengeDigest(challenge: PowChallenge): Buffer | null {
  return HEX_DIGEST.test(challenge.challenge) ? Buffer.from(challenge.challenge, 'hex') : null;
}

/**
 * Absorbs every full 136-byte block of `prefix`. Returns the state after them (50 little-endian words, as
 * `keccakF1600` uses) and the bytes left for the final block.
 */
export function absorbFullBlocks(prefix: Buffer): { state: Uint32Array; rest: Buffer } {
  const fullBlocks = Math.floor(prefix.length / RATE_BYTES);
  const state = new Uint32Array(50);
  for (let block = 0; block < fullBlocks; block++) {
    for (let w = 0; w < RATE_BYTES / 4; w++) state[w] ^= prefix.readUInt32LE(block * RATE_BYTES + 4 * w);
    keccakF1600(state, 1);
  }
  return { state, rest: prefix.subarray(fullBlocks * RATE_BYTES) };
}
