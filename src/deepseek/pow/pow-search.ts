import { xorInterleavedLane, toInterleavedState } from './bit-interleave';
import { deepSeekHashV1 } from './deepseek-hash';
import { keccakF1600Interleaved } from './keccak-interleaved';
import { PowChallenge, PowUnsolvableError } from './pow-challenge';
import { absorbFullBlocks, challengeDigest, powPrefix, RATE_BYTES } from './pow-message';

export const POW_ALGORITHM = 'DeepSeekHashV1';
/** Nonces stay int32 so the digit loop runs on small integers. Real difficulties are around 144000. */
export const MAX_POW_DIFFICULTY = 0x7fffffff;

/** Throws PowUnsolvableError unless `challenge` is one we know how to search. */
export function assertSupportedChallenge(challenge: PowChallenge): void {
  if (challenge.algorithm !== POW_ALGORITHM) {
    throw new PowUnsolvableError(`Unsupported PoW algorithm ${JSON.stringify(challenge.algorithm)}`);
  }
  const { difficulty, expireAt } = challenge;
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > MAX_POW_DIFFICULTY) {
    throw new PowUnsolvableError(`Unsupported PoW difficulty ${difficulty}`);
  }
  if (!Number.isSafeInteger(expireAt) || expireAt < 0) {
    throw new PowUnsolvableError(`Unsupported PoW expire_at ${expireAt}`);
  }
}

/** The answer search for one challenge, as the worker threads run it. */
export interface PowScanner {
  readonly difficulty: number;
  /** The smallest answer in [from, to) ∩ [0, difficulty), or -1. */
  scan(from: number, to: number): number;
}

/**
 * The answer search for one challenge (docs/protocol.md §6.2), prepared once: the message
 * `salt_expireAt_nonce` differs per nonce only in its last bytes, so every prefix block is absorbed up
 * front and only the nonce lanes of the final block are rewritten per candidate.
 */
export class PowSearch implements PowScanner {
  readonly difficulty: number;
  private readonly prefix: Buffer;
  private readonly targetHex: string;
  /** Digest lanes 0..3, interleaved; null when the challenge is not 64 hex digits (it never matches). */
  private readonly target: Int32Array | null;
  /** Interleaved state after the full prefix blocks, XOR the final block without its nonce bytes. */
  private readonly base: Int32Array;
  /** Prefix bytes that fall into the final block. */
  private readonly rest: number;
  private readonly state = new Int32Array(50);
  /** Final-block bytes from the first nonce lane on, holding only the digits and the 0x06 pad. */
  private readonly tail = new Uint8Array(24);

  constructor(challenge: PowChallenge) {
    assertSupportedChallenge(challenge);
    this.difficulty = challenge.difficulty;
    this.prefix = powPrefix(challenge);
    this.targetHex = challenge.challenge.toLowerCase();
    const digest = challengeDigest(challenge);
    this.target = digest && digestLanes(digest);

    const { state, rest } = absorbFullBlocks(this.prefix);
    this.base = toInterleavedState(state);
    const finalBlock = Buffer.alloc(RATE_BYTES);
    this.rest = rest.copy(finalBlock);
    finalBlock[RATE_BYTES - 1] ^= 0x80;
    for (let lane = 0; lane < RATE_BYTES / 8; lane++) {
      xorInterleavedLane(this.base, lane, finalBlock.readUInt32LE(8 * lane), finalBlock.readUInt32LE(8 * lane + 4));
    }
  }

  /** The smallest answer in [from, to) ∩ [0, difficulty), or -1. */
  scan(from: number, to: number): number {
    let start = Math.max(0, Math.ceil(from));
    const end = Math.min(this.difficulty, to);
    if (this.target === null) return -1;
    while (start < end) {
      const digits = String(start).length;
      const segmentEnd = Math.min(end, 10 ** digits);
      // The fast path needs the nonce and its 0x06 pad inside one final block.
      const found =
        this.rest + digits < RATE_BYTES
          ? this.scanFinalBlock(this.target, start, segmentEnd, digits)
          : this.scanSlowly(start, segmentEnd);
      if (found >= 0) return found;
      start = segmentEnd;
    }
    return -1;
  }

  private scanFinalBlock(target: Int32Array, from: number, to: number, digits: number): number {
    const { state, tail, base } = this;
    const firstLane = this.rest >> 3;
    const lastLane = (this.rest + digits) >> 3;
    const digitsAt = this.rest - 8 * firstLane;
    tail.fill(0);
    tail[digitsAt + digits] = 0x06;
    const t0 = target[0];
    for (let nonce = from; nonce < to; nonce++) {
      for (let i = digitsAt + digits - 1, v = nonce; i >= digitsAt; i--, v = (v / 10) | 0) tail[i] = 0x30 + (v % 10);
      state.set(base);
      for (let lane = firstLane, at = 0; lane <= lastLane; lane++, at += 8) {
        const lo = tail[at] | (tail[at + 1] << 8) | (tail[at + 2] << 16) | (tail[at + 3] << 24);
        const hi = tail[at + 4] | (tail[at + 5] << 8) | (tail[at + 6] << 16) | (tail[at + 7] << 24);
        xorInterleavedLane(state, lane, lo, hi);
      }
      keccakF1600Interleaved(state, 1);
      if (state[0] === t0 && matchesRest(state, target)) return nonce;
    }
    return -1;
  }

  // Nonces whose message spills into another block: rare (salts over ~115 bytes), so plain hashing will do.
  private scanSlowly(from: number, to: number): number {
    for (let nonce = from; nonce < to; nonce++) {
      const message = Buffer.concat([this.prefix, Buffer.from(String(nonce), 'latin1')]);
      if (deepSeekHashV1(message) === this.targetHex) return nonce;
    }
    return -1;
  }
}

function digestLanes(digest: Buffer): Int32Array {
  const lanes = new Int32Array(8);
  for (let lane = 0; lane < 4; lane++) {
    xorInterleavedLane(lanes, lane, digest.readUInt32LE(8 * lane), digest.readUInt32LE(8 * lane + 4));
  }
  return lanes;
}

function matchesRest(state: Int32Array, target: Int32Array): boolean {
  for (let i = 1; i < 8; i++) if (state[i] !== target[i]) return false;
  return true;
}

/**
 * Finds the smallest n in [from, to) ∩ [0, difficulty) with DeepSeekHashV1(`${salt}_${expireAt}_${n}`) equal
 * to the challenge, on the calling thread. Returns null when there is none; throws PowUnsolvableError for an
 * unsupported algorithm or difficulty.
 */
export function findPowAnswer(challenge: PowChallenge, from = 0, to = challenge.difficulty): number | null {
  const answer = new PowSearch(challenge).scan(from, to);
  return answer < 0 ? null : answer;
}
