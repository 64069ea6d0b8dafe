export { startFakeOfficialApi, DEFAULT_CONFIG, type FakeOfficialApi } from './server';
export { DEFAULT_MODELS } from './models';
export { pieces } from './usage';
export * from './types';
