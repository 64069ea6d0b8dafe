import { PowSearch } from './pow-search';
import { ControlSlot, createControl, hasUnclaimedWork, POW_SLICE, runPowSlices } from './pow-worker-protocol';
import { POW_NO_ANSWER, POW_SOLVE_VECTORS } from '../../../test/utils/deepseek/pow-test-vectors';
import { WasmPowSearch } from './wasm/wasm-pow-search';

const { challenge, answer } = POW_SOLVE_VECTORS[5];

describe('runPowSlices', () => {
  it('should record the answer and leave no work unclaimed', () => {
    const control = createControl(challenge.difficulty);
    runPowSlices(new PowSearch(challenge), control);

    expect(control[ControlSlot.Best]).toBe(answer);
    expect(hasUnclaimedWork(control, challenge.difficulty)).toBe(false);
  });

  it('should run the WebAssembly search the same way', () => {
    const control = createControl(challenge.difficulty);
    runPowSlices(new WasmPowSearch(challenge), control);

    expect(control[ControlSlot.Best]).toBe(answer);
    expect(hasUnclaimedWork(control, challenge.difficulty)).toBe(false);
  });

  it('should keep the difficulty as best when nothing matches', () => {
    const control = createControl(POW_NO_ANSWER.difficulty);
    runPowSlices(new PowSearch(POW_NO_ANSWER), control);

    expect(control[ControlSlot.Best]).toBe(POW_NO_ANSWER.difficulty);
  });

  it('should keep a smaller answer another thread found and claim nothing at or above it', () => {
    const control = createControl(challenge.difficulty);
    control[ControlSlot.Best] = 5;
    runPowSlices(new PowSearch(challenge), control);

    expect(control[ControlSlot.Best]).toBe(5);
    expect(control[ControlSlot.NextSlice]).toBe(2);
  });

  it('should claim nothing once cancelled', () => {
    const control = createControl(challenge.difficulty);
    control[ControlSlot.Cancelled] = 1;
    runPowSlices(new PowSearch(challenge), control);

    expect(control[ControlSlot.NextSlice]).toBe(0);
    expect(control[ControlSlot.Best]).toBe(challenge.difficulty);
  });

  it('should resume after slices other threads have claimed', () => {
    const control = createControl(challenge.difficulty);
    control[ControlSlot.NextSlice] = Math.floor(answer / POW_SLICE) + 1;
    runPowSlices(new PowSearch(challenge), control);

    expect(control[ControlSlot.Best]).toBe(challenge.difficulty);
  });
});
