/**
 * Just enough of the WebAssembly binary format (https://webassembly.github.io/spec/core/binary/) to emit one module
 * with one exported function and one exported memory.
 */

/** The opcodes the emitter uses, named as in the text format. */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i32Load8U: 0x2d,
  i64Store: 0x37,
  i32Store8: 0x3a,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Ne: 0x47,
  i32GeU: 0x4f,
  i64Eq: 0x51,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i64And: 0x83,
  i64Xor: 0x85,
  i64Rotl: 0x89,
} as const;

export const ValType = { i32: 0x7f, i64: 0x7e } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Block type of a `block`, `loop` or `if` that takes and leaves nothing on the stack. */
export const VOID_BLOCK = 0x40;

/** Unsigned LEB128: 7 bits a byte, least significant first, high bit set on every byte but the last. */
export function unsignedLeb128(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`Not an unsigned integer: ${value}`);
  const bytes: number[] = [];
  do {
    const low = value % 128;
    value = Math.floor(value / 128);
    bytes.push(value > 0 ? low | 0x80 : low);
  } while (value > 0);
  return bytes;
}

/** Signed LEB128 of a 64-bit two's complement value; it stops once the sign bit (0x40) of a byte says the rest. */
export function signedLeb128(value: bigint): number[] {
  let rest = BigInt.asIntN(64, value);
  const bytes: number[] = [];
  for (;;) {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    const done = (rest === 0n && (low & 0x40) === 0) || (rest === -1n && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}

/** A vector: its length, then its items. */
export function vector(items: number[][]): number[] {
  return [...unsignedLeb128(items.length), ...items.flat()];
}

function utf8Name(name: string): number[] {
  return vector([...Buffer.from(name, 'utf8')].map((byte) => [byte]));
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb128(content.length), ...content];
}

export interface FunctionSpec {
  params: ValType[];
  results: ValType[];
  /** Local declarations after the parameters, as runs of `count` locals of one type. */
  locals: { count: number; type: ValType }[];
  /** The instructions, without the closing `end`. */
  code: number[];
}

/** A module exporting `memoryName` (one fixed page of 64 KiB) and the function `functionName`. */
export function encodeModule(memoryName: string, functionName: string, fn: FunctionSpec): Uint8Array {
  const FUNCTION_TYPE = 0x60;
  const EXPORT_FUNCTION = 0x00;
  const EXPORT_MEMORY = 0x02;
  const LIMITS_MIN_MAX = 0x01;
  const signature = [FUNCTION_TYPE, ...vector(fn.params.map((t) => [t])), ...vector(fn.results.map((t) => [t]))];
  const locals = vector(fn.locals.map(({ count, type }) => [...unsignedLeb128(count), type]));
  const body = [...locals, ...fn.code, Op.end];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d], // "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(1, vector([signature])), // type section: type 0
    ...section(3, vector([[0]])), // function section: function 0 has type 0
    ...section(5, vector([[LIMITS_MIN_MAX, 1, 1]])), // memory section: memory 0, one page, no growth
    ...section(
      7, // export section
      vector([
        [...utf8Name(memoryName), EXPORT_MEMORY, 0],
        [...utf8Name(functionName), EXPORT_FUNCTION, 0],
      ]),
    ),
    ...section(10, vector([[...unsignedLeb128(body.length), ...body]])), // code section
  ]);
}
