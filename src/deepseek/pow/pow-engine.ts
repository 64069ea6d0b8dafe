import { PowChallenge } from './pow-challenge';
import { PowScanner, PowSearch } from './pow-search';
import { assertWasmPowAvailable, isWasmPowAvailable, WasmPowSearch } from './wasm/wasm-pow-search';

/** How a thread hashes: our WebAssembly module, or the TypeScript permutation. */
export type PowEngine = 'wasm' | 'ts';
/** `auto` takes WebAssembly when this thread can run it, TypeScript otherwise. */
export type PowEngineChoice = PowEngine | 'auto';

/** Resolves `auto`; throws when `wasm` is forced on a thread that cannot run it (e.g. `node --jitless`). */
export function resolvePowEngine(choice: PowEngineChoice = 'auto'): PowEngine {
  if (choice === 'ts') return 'ts';
  if (choice === 'wasm') {
    assertWasmPowAvailable();
    return 'wasm';
  }
  return isWasmPowAvailable() ? 'wasm' : 'ts';
}

export function createPowSearch(challenge: PowChallenge, engine: PowEngine): PowScanner {
  return engine === 'wasm' ? new WasmPowSearch(challenge) : new PowSearch(challenge);
}
