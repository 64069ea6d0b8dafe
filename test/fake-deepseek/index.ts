export { startFakeDeepSeek, type FakeDeepSeek } from './server';
export { DEFAULT_CONFIG } from './config';
export { loadReplay } from './replay';
export { tokenize } from './tokenizer';
export * from './types';
