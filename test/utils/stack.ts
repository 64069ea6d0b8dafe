import type { LoggerService } from '@nestjs/common';
import OpenAI from 'openai';
import type { DestinationStream } from 'pino';
import { startFakeDeepSeek, type FakeDeepSeek } from '../fake-deepseek';
import type { FakeOptions } from '../fake-deepseek/types';
import { startFakeOfficialApi, type FakeOfficialApi, type FakeOfficialOptions } from '../fake-official-api';
import { TokenPoolService, type PoolSnapshot } from '../../src/tokens/pool/token-pool.service';
import { startTestApp, type TestApp } from './test-app';

export interface Stack {
  fake: FakeDeepSeek;
  /** The fake official API, when `officialApi` was given (DEEPSEEK_API_BASE_URL points at it). */
  officialApi?: FakeOfficialApi;
  /** The gateway; `server.url` is its origin, `http://127.0.0.1:<port>`. */
  server: TestApp;
  /** The gateway's base URL for OpenAI clients: `http://127.0.0.1:<port>/v1`. */
  baseURL: string;
  /** An `openai` SDK client for the gateway, authenticating with the given tokens (default: all). */
  openai(tokens?: string[]): OpenAI;
  /** Pool counters of the gateway (idle, busy, waiting, leases…). */
  pool(): PoolSnapshot;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Account tokens the fake knows and the clients send (default `['tok-a']`). */
  tokens?: string[];
  fake?: FakeOptions;
  /** Also start the fake official API (test/fake-official-api) with these options. */
  officialApi?: FakeOfficialOptions;
  /** Gateway environment variables (DEEPSEEK_BASE_URL, and DEEPSEEK_API_BASE_URL with `officialApi`, are set for you). */
  env?: Record<string, string>;
  /**
   * Receives every log line of the gateway, boot included (default: errors and warnings on the console):
   * a `LogCapture` (test/utils/log-capture.ts).
   */
  logger?: LoggerService;
  /** The production log output (pino JSON lines), e.g. a `JsonLogCapture`. */
  logs?: DestinationStream;
}

/** The real gateway on port 0 in front of the fake DeepSeek upstream, both on 127.0.0.1. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const tokens = options.tokens ?? ['tok-a'];
  const fake = await startFakeDeepSeek({ accounts: tokens, powDifficulty: 1000, ...options.fake });
  const officialApi = options.officialApi ? await startFakeOfficialApi(options.officialApi) : undefined;
  let server: TestApp;
  try {
    const apiUrl: Record<string, string> = officialApi ? { DEEPSEEK_API_BASE_URL: officialApi.url } : {};
    server = await startTestApp(
      { DEEPSEEK_BASE_URL: fake.url, ...apiUrl, ...options.env },
      { logger: options.logger, logs: options.logs },
    );
  } catch (error) {
    await Promise.all([fake.close(), officialApi?.close()]);
    throw error;
  }
  const baseURL = `${server.url}/v1`;
  return {
    fake,
    officialApi,
    server,
    baseURL,
    openai: (clientTokens = tokens) => new OpenAI({ baseURL, apiKey: clientTokens.join(','), maxRetries: 0 }),
    pool: () => server.app.get(TokenPoolService).snapshot(),
    close: async () => {
      await server.close();
      await Promise.all([fake.close(), officialApi?.close()]);
    },
  };
}
