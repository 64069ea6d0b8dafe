import { createPowSearch, resolvePowEngine } from './pow-engine';
import { PowSearch } from './pow-search';
import { POW_SOLVE_VECTORS } from '../../../test/utils/deepseek/pow-test-vectors';
import { WasmPowSearch } from './wasm/wasm-pow-search';

const { challenge, answer } = POW_SOLVE_VECTORS[5];

/** pow-engine loaded afresh, so that the WebAssembly module is compiled again under what `setUp` changed. */
function isolatedEngine(setUp: () => void): typeof import('./pow-engine') {
  let engine: typeof import('./pow-engine') | undefined;
  jest.isolateModules(() => {
    setUp();
    engine = jest.requireActual<typeof import('./pow-engine')>('./pow-engine');
  });
  return engine!;
}

describe('resolvePowEngine', () => {
  it('should pick WebAssembly when it runs, and keep a forced engine', () => {
    expect(resolvePowEngine()).toBe('wasm');
    expect(resolvePowEngine('auto')).toBe('wasm');
    expect(resolvePowEngine('wasm')).toBe('wasm');
    expect(resolvePowEngine('ts')).toBe('ts');
  });

  it.each([
    ['wasm', WasmPowSearch],
    ['ts', PowSearch],
  ] as const)('should create the %s search', (engine, type) => {
    const search = createPowSearch(challenge, engine);

    expect(search).toBeInstanceOf(type);
    expect(search.scan(0, challenge.difficulty)).toBe(answer);
  });

  describe('fallback', () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'WebAssembly')!;

    afterEach(() => {
      Object.defineProperty(globalThis, 'WebAssembly', original);
      jest.dontMock('./wasm/keccak-wasm-module');
      jest.dontMock('./deepseek-hash');
    });

    it('should fall back to TypeScript when the runtime has no WebAssembly, as under node --jitless', () => {
      const engine = isolatedEngine(() => Reflect.deleteProperty(globalThis, 'WebAssembly'));

      expect(engine.resolvePowEngine('auto')).toBe('ts');
      expect(engine.createPowSearch(challenge, engine.resolvePowEngine()).scan(0, challenge.difficulty)).toBe(answer);
      expect(() => engine.resolvePowEngine('wasm')).toThrow('WebAssembly is not available in this runtime');
      expect(engine.resolvePowEngine('ts')).toBe('ts');
    });

    it('should fall back to TypeScript when the module does not compile', () => {
      const engine = isolatedEngine(() =>
        jest.doMock('./wasm/keccak-wasm-module', () => ({
          ...jest.requireActual<object>('./wasm/keccak-wasm-module'),
          keccakWasmModuleBytes: () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0),
        })),
      );

      expect(engine.resolvePowEngine('auto')).toBe('ts');
      expect(() => engine.resolvePowEngine('wasm')).toThrow(/expected version/);
    });

    it('should fall back to TypeScript when the module fails its self-test', () => {
      const engine = isolatedEngine(() =>
        jest.doMock('./deepseek-hash', () => ({ deepSeekHashV1: () => '0'.repeat(64) })),
      );

      expect(engine.resolvePowEngine('auto')).toBe('ts');
      expect(() => engine.resolvePowEngine('wasm')).toThrow('The WebAssembly PoW search failed its self-test');
    });
  });
});
