import { deepSeekHashV1 } from '../deepseek-hash';
import { PowChallenge } from '../pow-challenge';
import { absorbFullBlocks, challengeDigest, powPrefix, RATE_BYTES } from '../pow-message';
import { assertSupportedChallenge, MAX_POW_DIFFICULTY, PowScanner, PowSearch } from '../pow-search';
import {
  KECCAK_WASM_MEMORY,
  KECCAK_WASM_SCAN,
  KeccakWasmExports,
  KeccakWasmLayout,
  keccakWasmModuleBytes,
} from './keccak-wasm-module';

/** The part of the WebAssembly JS API used here (this project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

interface Compiled {
  api: WebAssemblyApi;
  module: object;
}

let compiled: Compiled | Error | undefined;

/** Compiles the module once per thread; throws why WebAssembly cannot run here, e.g. under `node --jitless`. */
function compiledModule(): Compiled {
  if (compiled === undefined) {
    try {
      const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
      if (!api) throw new Error('WebAssembly is not available in this runtime');
      compiled = { api, module: new api.Module(keccakWasmModuleBytes()) };
      selfTest();
    } catch (error) {
      compiled = error instanceof Error ? error : new Error(String(error));
    }
  }
  if (compiled instanceof Error) throw compiled;
  return compiled;
}

/** One known answer, found across a change in digit count, before the module gets real challenges. */
function selfTest(): void {
  const search = new WasmPowSearch({
    algorithm: 'DeepSeekHashV1',
    challenge: deepSeekHashV1('self-test_1_12'),
    salt: 'self-test',
    signature: '',
    difficulty: 20,
    expireAt: 1,
    targetPath: '',
  });
  if (search.scan(0, 20) !== 12) throw new Error('The WebAssembly PoW search failed its self-test');
}

function instantiate(): KeccakWasmExports {
  const { api, module } = compiledModule();
  const { exports } = new api.Instance(module, {});
  return { memory: exports[KECCAK_WASM_MEMORY], scan: exports[KECCAK_WASM_SCAN] } as KeccakWasmExports;
}

/** An instance and views on its memory: the whole of it, and the final block's place in it. */
interface ThreadInstance {
  exports: KeccakWasmExports;
  memory: Buffer;
  block: Buffer;
}

let threadInstance: ThreadInstance | undefined;

/**
 * One instance per thread, shared by the thread's searches: instantiating took about a quarter of a one-slice
 * job. Each search loads its own state and target into the memory before every run (runs never interleave on
 * one thread: they are synchronous).
 */
function sharedInstance(): ThreadInstance {
  if (!threadInstance) {
    const exports = instantiate();
    const { buffer } = exports.memory;
    threadInstance = {
      exports,
      memory: Buffer.from(buffer),
      block: Buffer.from(buffer, KeccakWasmLayout.block, RATE_BYTES),
    };
  }
  return threadInstance;
}

/** Throws the reason the WebAssembly search cannot run on this thread, if any. */
export function assertWasmPowAvailable(): void {
  compiledModule();
}

export function isWasmPowAvailable(): boolean {
  try {
    compiledModule();
    return true;
  } catch {
    return false;
  }
}

/**
 * PowSearch on the WebAssembly module of keccak-wasm-module.ts: the same contract and results, about three times
 * as fast. Each run of nonces with one digit count is a single call into the module, which steps the digits itself.
 * Nonces whose digits or padding would spill into another block (salt lengths near 120 bytes plus multiples of 136)
 * go to the TypeScript search.
 */
export class WasmPowSearch implements PowScanner {
  readonly difficulty: number;
  private readonly instance: ThreadInstance;
  /** The sponge state after the prefix's full blocks, as the module reads it (little-endian words). */
  private readonly state: Buffer;
  /** The challenge's digest; null when no digest can match (the search then finds nothing). */
  private readonly target: Buffer | null;
  /** Prefix bytes in the final block. */
  private readonly rest: Buffer;
  private typescript?: PowSearch;

  constructor(private readonly challenge: PowChallenge) {
    assertSupportedChallenge(challenge);
    this.difficulty = challenge.difficulty;
    this.instance = sharedInstance();

    const { state, rest } = absorbFullBlocks(powPrefix(challenge));
    this.rest = rest;
    this.state = Buffer.alloc(4 * state.length);
    // Wasm memory is little-endian whatever the host is.
    state.forEach((word, i) => this.state.writeUInt32LE(word, 4 * i));
    this.target = challengeDigest(challenge);
  }

  scan(from: number, to: number): number {
    let start = Math.max(0, Math.ceil(from));
    const end = Math.min(this.difficulty, to);
    if (!this.target) return -1;
    while (start < end) {
      const digits = String(start).length;
      const segmentEnd = Math.min(end, 10 ** digits);
      const found = this.fitsFinalBlock(digits)
        ? this.scanFinalBlock(start, Math.ceil(segmentEnd), digits)
        : (this.typescript ??= new PowSearch(this.challenge)).scan(start, segmentEnd);
      if (found >= 0) return found;
      start = segmentEnd;
    }
    return -1;
  }

  /** The digest of `salt_expireAt_nonce` as the module computes it, in hex; null if the nonce spills past the block. */
  digest(nonce: number): string | null {
    const valid = Number.isInteger(nonce) && nonce >= 0 && nonce < MAX_POW_DIFFICULTY;
    if (!valid) throw new RangeError(`Not a nonce: ${nonce}`);
    const digits = String(nonce).length;
    if (!this.fitsFinalBlock(digits)) return null;
    this.scanFinalBlock(nonce, nonce + 1, digits);
    return this.instance.memory.toString('hex', KeccakWasmLayout.digest, KeccakWasmLayout.digest + 32);
  }

  // The digits and the 0x06 after them must both fall into the final block.
  private fitsFinalBlock(digits: number): boolean {
    return this.rest.length + digits < RATE_BYTES;
  }

  private scanFinalBlock(from: number, to: number, digits: number): number {
    // The final block exactly as §6.1 pads it; 0x06 and 0x80 make one 0x86 byte when they meet.
    const { rest } = this;
    const { memory, block } = this.instance;
    memory.set(this.state, KeccakWasmLayout.state);
    if (this.target) memory.set(this.target, KeccakWasmLayout.target);
    block.fill(0);
    rest.copy(block);
    block.write(String(from), rest.length, 'latin1');
    block[rest.length + digits] = 0x06;
    block[RATE_BYTES - 1] ^= 0x80;
    return this.instance.exports.scan(from, to, rest.length + digits - 1);
  }
}
