import { PI, RHO, ROUND_CONSTANTS } from '../keccak';
import { encodeModule, Op, signedLeb128, unsignedLeb128, ValType, VOID_BLOCK } from './wasm-binary';

/**
 * Emits, at run time, a WebAssembly module that runs the DeepSeekHashV1 nonce loop (docs/protocol.md §6) on
 * native 64-bit lanes. Its one function is
 *
 *   scan(nonce: i32, end: i32, lastDigit: i32) -> i32
 *
 * which hashes the block at `KeccakWasmLayout.block` on top of the state at `.state`, compares the digest with
 * `.target`, then adds one to the decimal digits ending at byte `lastDigit` of the block, until a digest matches
 * (it returns that nonce) or `end` is reached (it returns -1). The caller writes the digits of `nonce` and the
 * padding first, and keeps `end` within the same number of digits. The digest of the last nonce hashed stays at
 * `.digest`.
 */

const LANES_A = 368;
const LANES_B = 568;

/** Byte offsets in the module's memory. */
export const KeccakWasmLayout = {
  /** The final 136-byte block of the message, padding included. */
  block: 0,
  /** 25 lanes: the state after the full blocks before the final one (all zero for a short salt). */
  state: 136,
  /** The 32-byte digest to find. */
  target: 336,
  /** Round r reads one set of 25 lanes and writes the other. */
  lanes: [LANES_A, LANES_B],
  /** Round 23, an odd one, writes the digest lanes to the second set. */
  digest: LANES_B,
} as const;

export const KECCAK_WASM_MEMORY = 'memory';
export const KECCAK_WASM_SCAN = 'scan';

export interface KeccakWasmExports {
  memory: { readonly buffer: ArrayBuffer };
  scan(nonce: number, end: number, lastDigit: number): number;
}

const RATE_LANES = 17;
const DIGEST_LANES = 4;
const ASCII_0 = 0x30;
const ASCII_9 = 0x39;
// log2 of the alignment hint in a memory instruction.
const ALIGN_8 = 3;
const ALIGN_1 = 0;

// Local indexes: the three parameters, two i32 locals, then the i64 temporaries. The state itself lives in memory:
// held in 50 locals, it left V8's register allocator spilling on every other instruction (85 ms against 54 ms for
// the worst case), while loads and stores in memory keep the instructions in the order emitted here.
const NONCE = 0;
const END = 1;
const LAST_DIGIT = 2;
const AT = 3;
const DIGIT = 4;
const b = (x: number) => 5 + x;
const c = (x: number) => 10 + x;
const d = (x: number) => 15 + x;
const LANE = 20;
const I64_LOCALS = 16;
/** The lane of the round input that π moves to each lane. */
const FROM_LANE = PI.map((_, lane) => PI.indexOf(lane));

const roundConstant = (round: number) =>
  (BigInt(ROUND_CONSTANTS[2 * round + 1]) << 32n) | BigInt(ROUND_CONSTANTS[2 * round]);

/** Appends instructions to a function body. */
class Code {
  readonly bytes: number[] = [];

  op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  get(local: number): this {
    return this.op(Op.localGet, ...unsignedLeb128(local));
  }
  set(local: number): this {
    return this.op(Op.localSet, ...unsignedLeb128(local));
  }
  tee(local: number): this {
    return this.op(Op.localTee, ...unsignedLeb128(local));
  }
  i32(value: number): this {
    return this.op(Op.i32Const, ...signedLeb128(BigInt(value)));
  }
  i64(value: bigint): this {
    return this.op(Op.i64Const, ...signedLeb128(value));
  }
  /** Memory access at a constant address: address 0 plus the instruction's offset immediate. */
  memory(opcode: number, align: number, address: number): this {
    return this.op(opcode, align, ...unsignedLeb128(address));
  }
  loadLane(address: number): this {
    return this.i32(0).memory(Op.i64Load, ALIGN_8, address);
  }
}

/** Byte address of a set of 25 lanes. */
type Lanes = number;

function getLane(code: Code, lanes: Lanes, lane: number): Code {
  return code.loadLane(lanes + 8 * lane);
}

/** Stores the value on the stack as lane `lane`, keeping a copy in the local LANE. */
function setLane(code: Code, lanes: Lanes, lane: number): Code {
  return code
    .set(LANE)
    .i32(0)
    .get(LANE)
    .memory(Op.i64Store, ALIGN_8, lanes + 8 * lane);
}

/** a[i] = state[i] ^ block[i] for the 17 rate lanes, a[i] = state[i] for the capacity; c[x] its column parities. */
function absorb(code: Code, a: Lanes): void {
  for (let lane = 0; lane < 25; lane++) {
    code.loadLane(KeccakWasmLayout.state + 8 * lane);
    if (lane < RATE_LANES) code.loadLane(KeccakWasmLayout.block + 8 * lane).op(Op.i64Xor);
    setLane(code, a, lane).get(LANE);
    if (lane >= 5) code.get(c(lane % 5)).op(Op.i64Xor);
    code.set(c(lane % 5));
  }
}

/**
 * One Keccak-f round from lanes `a` to lanes `e`, one output row at a time so that only five ρπ lanes are live,
 * and gathering the column parities of `e` for the next θ on the way. The last round computes only the digest.
 */
function round(code: Code, index: number, a: Lanes, e: Lanes, last: boolean): void {
  // θ: d[x] = c[x - 1] ^ rotl(c[x + 1], 1).
  for (let x = 0; x < 5; x++) {
    code
      .get(c((x + 4) % 5))
      .get(c((x + 1) % 5))
      .i64(1n)
      .op(Op.i64Rotl, Op.i64Xor)
      .set(d(x));
  }
  for (let y = 0; y < (last ? 5 : 25); y += 5) {
    // θ, ρ and π: b[x] = rotl(a[i] ^ d[i mod 5], ρ(i)) for the lane i that π moves to x + y.
    for (let x = 0; x < 5; x++) {
      const lane = FROM_LANE[x + y];
      getLane(code, a, lane)
        .get(d(lane % 5))
        .op(Op.i64Xor);
      if (RHO[lane] !== 0) code.i64(BigInt(RHO[lane])).op(Op.i64Rotl);
      code.set(b(x));
    }
    // χ and ι: e[x + y] = b[x] ^ (~b[x + 1] & b[x + 2]), with the round constant into lane 0. ~v is v ^ -1.
    for (let x = 0; x < (last ? DIGEST_LANES : 5); x++) {
      code
        .get(b(x))
        .get(b((x + 1) % 5))
        .i64(-1n)
        .op(Op.i64Xor)
        .get(b((x + 2) % 5))
        .op(Op.i64And, Op.i64Xor);
      if (x + y === 0) code.i64(roundConstant(index)).op(Op.i64Xor);
      setLane(code, e, x + y);
      if (last) continue;
      code.get(LANE);
      if (y > 0) code.get(c(x)).op(Op.i64Xor);
      code.set(c(x));
    }
  }
}

/** Pushes 1 when the four digest lanes equal the target, else 0. */
function matchesTarget(code: Code, s: Lanes): void {
  for (let lane = 0; lane < DIGEST_LANES; lane++) {
    code
      .loadLane(s + 8 * lane)
      .loadLane(KeccakWasmLayout.target + 8 * lane)
      .op(Op.i64Eq);
    if (lane > 0) code.op(Op.i32And);
  }
}

/** Adds one to the ASCII digits ending at `lastDigit`: trailing '9's become '0' and the digit before them grows. */
function incrementDigits(code: Code): void {
  code.get(LAST_DIGIT).set(AT);
  code.op(Op.block, VOID_BLOCK); // $done
  code.op(Op.loop, VOID_BLOCK); // $digit: looks at the digit at AT
  code.get(AT).memory(Op.i32Load8U, ALIGN_1, 0).tee(DIGIT).i32(ASCII_9).op(Op.i32Ne);
  code.op(Op.if, VOID_BLOCK);
  code.get(AT).get(DIGIT).i32(1).op(Op.i32Add).memory(Op.i32Store8, ALIGN_1, 0);
  code.op(Op.br, 2); // to the end of $done: 0 is this `if`, 1 is $digit
  code.op(Op.end);
  code.get(AT).i32(ASCII_0).memory(Op.i32Store8, ALIGN_1, 0);
  code.get(AT).i32(1).op(Op.i32Sub).set(AT);
  code.op(Op.br, 0); // back to the start of $digit
  code.op(Op.end); // $digit
  code.op(Op.end); // $done
}

function scanFunction(): number[] {
  const code = new Code();
  code.op(Op.loop, VOID_BLOCK); // $nonce: one iteration per nonce
  absorb(code, KeccakWasmLayout.lanes[0]);
  for (let index = 1; index < 24; index++) {
    round(code, index, KeccakWasmLayout.lanes[(index + 1) % 2], KeccakWasmLayout.lanes[index % 2], index === 23);
  }

  matchesTarget(code, KeccakWasmLayout.digest);
  code.op(Op.if, VOID_BLOCK);
  code.get(NONCE).op(Op.return);
  code.op(Op.end);

  code.get(NONCE).i32(1).op(Op.i32Add).tee(NONCE).get(END).op(Op.i32GeU);
  code.op(Op.if, VOID_BLOCK);
  code.i32(-1).op(Op.return);
  code.op(Op.end);

  incrementDigits(code);
  code.op(Op.br, 0); // back to the start of $nonce
  code.op(Op.end); // $nonce
  // Every path out of the loop returns; the validator still wants the function's i32 result.
  code.op(Op.unreachable);
  return code.bytes;
}

/** The module's bytes (about 25 KB). */
export function keccakWasmModuleBytes(): Uint8Array {
  return encodeModule(KECCAK_WASM_MEMORY, KECCAK_WASM_SCAN, {
    params: [ValType.i32, ValType.i32, ValType.i32],
    results: [ValType.i32],
    locals: [
      { count: 2, type: ValType.i32 },
      { count: I64_LOCALS, type: ValType.i64 },
    ],
    code: scanFunction(),
  });
}
