import fc from 'fast-check';
import { encodeModule, Op, signedLeb128, unsignedLeb128, ValType } from './wasm-binary';

function readLeb128(bytes: number[], signed: boolean): bigint {
  let value = 0n;
  let shift = 0n;
  for (const byte of bytes) {
    value |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  }
  return signed && (bytes[bytes.length - 1] & 0x40) !== 0 ? value - (1n << shift) : value;
}

const WebAssemblyApi = (globalThis as { WebAssembly?: { validate(bytes: Uint8Array): boolean } }).WebAssembly!;

describe('wasm-binary', () => {
  it.each([
    [0, [0x00]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [624485, [0xe5, 0x8e, 0x26]],
  ])('should encode %i as unsigned LEB128', (value, bytes) => {
    expect(unsignedLeb128(value)).toEqual(bytes);
  });

  it.each([
    [0n, [0x00]],
    [63n, [0x3f]],
    [64n, [0xc0, 0x00]],
    [-1n, [0x7f]],
    [-64n, [0x40]],
    [-65n, [0xbf, 0x7f]],
    [-123456n, [0xc0, 0xbb, 0x78]],
  ])('should encode %d as signed LEB128', (value, bytes) => {
    expect(signedLeb128(value)).toEqual(bytes);
  });

  it('should round-trip any 64-bit value, reading unsigned constants as signed ones', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), (value) => {
        const bytes = signedLeb128(value);

        expect(readLeb128(bytes, true)).toBe(BigInt.asIntN(64, value));
        expect(bytes.length).toBeLessThanOrEqual(10);
        expect(bytes.slice(0, -1).every((byte) => byte >= 0x80)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (value) => {
        expect(readLeb128(unsignedLeb128(value), false)).toBe(BigInt(value));
      }),
    );
  });

  it('should refuse a negative or fractional unsigned value', () => {
    expect(() => unsignedLeb128(-1)).toThrow(RangeError);
    expect(() => unsignedLeb128(1.5)).toThrow(RangeError);
  });

  it('should emit a module that WebAssembly accepts', () => {
    const bytes = encodeModule('memory', 'add', {
      params: [ValType.i32, ValType.i32],
      results: [ValType.i32],
      locals: [{ count: 1, type: ValType.i64 }],
      code: [Op.localGet, 0, Op.localGet, 1, Op.i32Add],
    });

    expect(WebAssemblyApi.validate(bytes)).toBe(true);
  });
});
