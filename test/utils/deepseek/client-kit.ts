/** Helpers for the HttpDeepSeekClient specs: config, a recording PoW solver, event collection, error capture. */
import { Logger } from '@nestjs/common';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom, Observable, tap, toArray } from 'rxjs';
import type { DeepSeekConfig } from '../../../src/config/deepseek.config';
import type { CompletionOptions } from '../../../src/deepseek/deepseek.client';
import { HttpDeepSeekClient } from '../../../src/deepseek/http-deepseek.client';
import { PowChallenge, PowSolver } from '../../../src/deepseek/pow/pow-challenge';
import { encodePowResponse } from '../../../src/deepseek/pow/pow-response';
import type { DeepSeekEvent, SearchResult } from '../../../src/deepseek/stream/deepseek-event';
import { UpstreamError } from '../../../src/deepseek/upstream-error';
import { WorkerPowSolver } from '../../../src/deepseek/pow/worker-pow-solver';
import { startFakeDeepSeek, type FakeDeepSeek } from '../../fake-deepseek';
import type { FakeOptions } from '../../fake-deepseek/types';

/** Long, unmistakable tokens, so that a leak into an error is found by a plain substring scan. */
export const ALICE = 'tok-alice-5f1c9a0e7b3d4c2a8e6f0b1d9c7a5e3f';
export const BOB = 'tok-bob-2b8d6f4a0c9e7b5d3f1a8c6e4b2d0f9a';
export const MUTED = 'tok-muted-7e5c3a1f9d7b5e3c1a9f7d5b3e1c9a7f';
export const STRANGER = 'tok-stranger-0a1b2c3d4e5f60718293a4b5c6d7e8f9';

export const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/144.0.0.0';

export function clientConfig(baseUrl: string, overrides: Partial<DeepSeekConfig> = {}): DeepSeekConfig {
  return {
    baseUrl,
    userAgent: USER_AGENT,
    clientVersion: '1.7.0',
    appVersion: '20260401.1',
    clientLocale: 'en_US',
    clientTimezoneOffset: 28_800,
    upstreamTimeoutMs: 10_000,
    firstByteTimeoutMs: 10_000,
    maxContinueRounds: 8,
    closeGraceMs: 2_000,
    powWorkers: 1,
    ...overrides,
  };
}

/**
 * Wraps the real solver: records every challenge and the header it turns into (to scan errors for
 * them), and lets a spec hold a solve until it says so.
 */
export class RecordingPowSolver extends PowSolver {
  readonly challenges: PowChallenge[] = [];
  readonly headers: string[] = [];
  /** Runs as each solve starts (with its 1-based number), before the real solver sees the challenge. */
  onSolve: ((call: number, challenge: PowChallenge) => void | Promise<void>) | null = null;

  constructor(private readonly inner: PowSolver) {
    super();
  }

  get calls(): number {
    return this.challenges.length;
  }

  async solve(challenge: PowChallenge, signal?: AbortSignal): Promise<number> {
    this.challenges.push(challenge);
    await this.onSolve?.(this.challenges.length, challenge);
    const answer = await this.inner.solve(challenge, signal);
    this.headers.push(encodePowResponse(challenge, answer));
    return answer;
  }

  /** Every string that must never show up in an error: headers, signatures, challenges. */
  secrets(): string[] {
    return [...this.headers, ...this.challenges.flatMap((c) => [c.signature, c.challenge])];
  }
}

/** Clients built for one spec file, closed together. */
export class ClientFactory {
  private readonly clients: HttpDeepSeekClient[] = [];

  constructor(private readonly pow: PowSolver) {}

  create(baseUrl: string, overrides: Partial<DeepSeekConfig> = {}): HttpDeepSeekClient {
    const client = new HttpDeepSeekClient(clientConfig(baseUrl, overrides), this.pow);
    this.clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.onModuleDestroy()));
  }
}

export function completionOptions(token: string, overrides: Partial<CompletionOptions> = {}): CompletionOptions {
  return {
    token,
    prompt: 'Hello there',
    thinking: false,
    search: false,
    modelType: 'default',
    signal: new AbortController().signal,
    ...overrides,
  };
}

export interface Collected {
  events: DeepSeekEvent[];
  reasoning: string;
  content: string;
  template: string;
  statuses: string[];
  searches: SearchResult[][];
  /** What the observable errored with, or null when it completed. */
  error: unknown;
}

/** Subscribes once and folds every event; never rejects (an error is returned in `error`). */
export async function collect(events: Observable<DeepSeekEvent>, onEvent?: (event: DeepSeekEvent) => void) {
  const seen: DeepSeekEvent[] = [];
  let error: unknown = null;
  try {
    await lastValueFrom(
      events.pipe(
        tap((event) => {
          seen.push(event);
          onEvent?.(event);
        }),
        toArray(),
      ),
    );
  } catch (caught) {
    error = caught;
  }
  return fold(seen, error);
}

function fold(events: DeepSeekEvent[], error: unknown): Collected {
  const out: Collected = { events, reasoning: '', content: '', template: '', statuses: [], searches: [], error };
  for (const event of events) {
    if (event.type === 'reasoning') out.reasoning += event.text;
    else if (event.type === 'content') out.content += event.text;
    else if (event.type === 'template') out.template += event.text;
    else if (event.type === 'status') out.statuses.push(event.status);
    else if (event.type === 'search') out.searches.push(event.results);
  }
  return out;
}

/** Every UpstreamError a spec saw, for the final scan for secrets. */
export const seenErrors: UpstreamError[] = [];

/** The UpstreamError a promise rejects with (recorded for the secret scan); fails on anything else. */
export async function upstreamErrorOf(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    return record(error);
  }
  throw new Error('expected an UpstreamError, but the call succeeded');
}

export function record(error: unknown): UpstreamError {
  if (!(error instanceof UpstreamError)) {
    throw new Error(`expected an UpstreamError, got ${error instanceof Error ? error.stack : String(error)}`);
  }
  seenErrors.push(error);
  return error;
}

/** Everything an error would show in a log line. */
export function errorText(error: UpstreamError): string {
  return `${error.message}\n${JSON.stringify(error.details)}\n${JSON.stringify(error)}\n${error.stack ?? ''}`;
}

/** A one-route HTTP server for answers the fake upstream cannot give (odd envelope shapes). */
export async function startStub(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJsonText(res: ServerResponse, status: number, text: string, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** What a client spec works with; filled in by the hooks `useClientRig` registers. */
export interface ClientRig {
  fake: FakeDeepSeek;
  pow: RecordingPowSolver;
  clients: ClientFactory;
  client: HttpDeepSeekClient;
}

/**
 * Registers the usual lifecycle: a fake upstream (PoW difficulty 1000 unless told otherwise), a one-worker
 * recording PoW solver and a client, quiet warn/debug logs; the fake is reset after each test.
 */
export function useClientRig(fakeOptions: FakeOptions = {}): ClientRig {
  const rig = {} as ClientRig;
  let solver: WorkerPowSolver;
  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    rig.fake = await startFakeDeepSeek({ powDifficulty: 1000, ...fakeOptions });
    solver = new WorkerPowSolver(1);
    rig.pow = new RecordingPowSolver(solver);
    rig.clients = new ClientFactory(rig.pow);
    rig.client = rig.clients.create(rig.fake.url);
  });
  afterEach(() => {
    rig.pow.onSolve = null;
    rig.fake.reset();
  });
  afterAll(async () => {
    await rig.clients.closeAll();
    await solver.close();
    await rig.fake.close();
  });
  return rig;
}
