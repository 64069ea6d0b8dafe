import { resolve } from 'node:path';
import { CLIENT_VERSION_PATTERN } from './client-version';
import type { AccountOptions, AccountsOption, FakeConfig, FakeConfigPatch, FileConfig, StreamFormat } from './types';

/** `../shared` beside the repository (see test/utils/shared-fixtures.ts, which needs Jest globals). */
export const DEFAULT_CAPTURES_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'fixtures', 'deepseek-captures');

export const DEFAULT_FILE_CONFIG: FileConfig = {
  pollsToParsing: 1,
  pollsToDone: 2,
  parseDelayMs: null,
  immediate: false,
  outcome: 'SUCCESS',
  errorCode: 'PARSE_FAILED',
  maxBytes: 100 * 1024 * 1024,
  unsupportedExtensions: [],
};

export const DEFAULT_CONFIG: FakeConfig = {
  format: 'C',
  powDifficulty: 1000,
  powExpireMs: 300_000,
  verifyPow: true,
  strictContinuePow: false,
  sessionShape: 'nested',
  legacyTokenField: false,
  busyForm: 'sse',
  allowConcurrentGenerations: false,
  firstByteDelayMs: 0,
  tokenDelayMs: 0,
  charsPerFrame: 0,
  heartbeatIntervalMs: 0,
  titleDelayMs: 0,
  keepGeneratingAfterDisconnect: true,
  reply: { reasoning: 'Let me think about this.', content: 'Hello! How can I help you today?' },
  echo: false,
  searchResults: [],
  emitTip: false,
  emitFinish: true,
  unavailableModels: [],
  minClientVersion: null,
  replay: null,
  capturesDir: DEFAULT_CAPTURES_DIR,
  files: DEFAULT_FILE_CONFIG,
};

export function isStreamFormat(value: unknown): value is StreamFormat {
  return value === 'A' || value === 'B' || value === 'C';
}

/** Accepts a token list or a token → options map (`muted_until` also accepted, as in §10.2). */
export function normalizeAccounts(accounts: AccountsOption): Map<string, AccountOptions | null> {
  const result = new Map<string, AccountOptions | null>();
  if (Array.isArray(accounts)) {
    for (const token of accounts) result.set(String(token), {});
    return result;
  }
  for (const [token, raw] of Object.entries(accounts)) {
    if (raw === null) {
      result.set(token, null);
      continue;
    }
    const options = raw as AccountOptions & { muted_until?: number | null };
    const format = options.format;
    if (format !== undefined && !isStreamFormat(format)) throw new Error(`accounts.${token}.format must be A, B or C`);
    result.set(token, { mutedUntil: options.mutedUntil ?? options.muted_until ?? null, format });
  }
  return result;
}

type Check = (value: unknown) => boolean;
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isBoolean: Check = (v) => typeof v === 'boolean';
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);

const isCount: Check = (v) => isNumber(v) && Number.isInteger(v);

const FILE_CHECKS: { [K in keyof FileConfig]: Check } = {
  pollsToParsing: isCount,
  pollsToDone: isCount,
  parseDelayMs: (v) => v === null || isNumber(v),
  immediate: isBoolean,
  outcome: oneOf('SUCCESS', 'FAILED'),
  errorCode: (v) => typeof v === 'string',
  maxBytes: isCount,
  unsupportedExtensions: (v) => Array.isArray(v) && v.every((e) => typeof e === 'string'),
};

const CHECKS: { [K in keyof FakeConfig]: Check } = {
  format: isStreamFormat,
  powDifficulty: (v) => isNumber(v) && Number.isInteger(v) && (v as number) > 0,
  powExpireMs: isNumber,
  verifyPow: isBoolean,
  strictContinuePow: isBoolean,
  sessionShape: oneOf('flat', 'nested'),
  legacyTokenField: isBoolean,
  busyForm: oneOf('sse', 'envelope'),
  allowConcurrentGenerations: isBoolean,
  firstByteDelayMs: isNumber,
  tokenDelayMs: isNumber,
  charsPerFrame: (v) => isNumber(v) && Number.isInteger(v),
  heartbeatIntervalMs: isNumber,
  titleDelayMs: isNumber,
  keepGeneratingAfterDisconnect: isBoolean,
  reply: (v) =>
    typeof v === 'object' &&
    v !== null &&
    Object.entries(v).every(([key, text]) => (key === 'reasoning' || key === 'content') && typeof text === 'string'),
  echo: isBoolean,
  searchResults: Array.isArray,
  emitTip: isBoolean,
  emitFinish: isBoolean,
  unavailableModels: (v) => Array.isArray(v) && v.every((m) => typeof m === 'string'),
  minClientVersion: (v) => v === null || (typeof v === 'string' && CLIENT_VERSION_PATTERN.test(v)),
  replay: (v) => v === null || typeof v === 'string',
  capturesDir: (v) => typeof v === 'string',
  files: (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.entries(v).every(([key, value]) => FILE_CHECKS[key as keyof FileConfig]?.(value) === true),
};

/** Validates a config patch that arrived as JSON (control API); throws a readable Error. */
export function parseConfigPatch(body: unknown): FakeConfigPatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('config must be an object');
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'accounts') {
      if (typeof value !== 'object' || value === null) throw new Error('accounts must be a list or an object');
      patch.accounts = value;
      continue;
    }
    const check = (CHECKS as Record<string, Check | undefined>)[key];
    if (!check) throw new Error(`unknown config key: ${key}`);
    if (!check(value)) throw new Error(`invalid value for ${key}`);
    patch[key] = value;
  }
  return patch;
}

/** Applies the FakeConfig part of a patch (accounts and the hook are handled by the caller). */
export function applyConfigPatch(config: FakeConfig, patch: FakeConfigPatch): FakeConfig {
  const next: Record<string, unknown> = { ...config };
  for (const key of Object.keys(CHECKS)) {
    const value = (patch as Record<string, unknown>)[key];
    if (value !== undefined) next[key] = value;
  }
  next.reply = { ...config.reply, ...patch.reply };
  next.files = { ...config.files, ...patch.files };
  return next as unknown as FakeConfig;
}
