import { ApiError } from '../../src/common/errors/api-error';

/** Runs a parser that must refuse with a 400: its `[param, code, message]`; any other outcome fails the test. */
export function badRequestOf(run: () => unknown): [string | null, string | null, string] {
  try {
    run();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.getStatus()).toBe(400);
    return [error.param, error.code, error.message];
  }
  throw new Error('expected a 400');
}
