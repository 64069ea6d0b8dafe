/** The six scenarios of the harness, their sizes (full and --quick) and the gateway settings each needs. */
import type { AnswerText } from './answer-texts';
import { type OfficialApiParams, officialApiParams } from './official-api-params';

export type ScenarioId = 1 | 2 | 3 | 4 | 5 | 6;
export const ALL_SCENARIOS: readonly ScenarioId[] = [1, 2, 3, 4, 5, 6];

/** Upstream pacing and answer shape, as the fake upstream produces them. */
export interface Pacing {
  frames: number;
  frameIntervalMs: number;
  charsPerFrame: number;
  /** PoW difficulty of the fake's challenges. */
  difficulty: number;
  /** The answer's text (answer-texts.ts); plain prose when absent. */
  answer?: AnswerText;
}

export interface TtfbParams extends Pacing {
  kind: 'ttfb';
  samples: number;
  warmup: number;
  /** Added to every upstream call by the latency proxy. */
  addedLatencyMs: number;
  accounts: number;
}

export interface StreamingParams extends Pacing {
  kind: 'streaming';
  streams: number;
  /** Stream starts are spread over this long, so frames of different streams do not arrive in lockstep. */
  rampMs: number;
  accounts: number;
  accountMaxInflight: number;
  /** Per case of the first-token probe (tools or not × plain or `<` answer), one stream at a time. */
  firstTokenSamples: number;
  /**
   * Pause before each extra phase of a gateway (tool phases, probe), longer than the fake's keep-alive
   * timeout (Node's 5 s): the upstream connections the previous phase left idle are closed by then, so a
   * phase starts as the gateway's own did (after the direct client's) and does not reuse one just as the
   * fake closes it (an ECONNRESET the gateway answers with a 502).
   */
  settleBetweenPhasesMs: number;
}

export interface CapacityParams extends Pacing {
  kind: 'capacity';
  streams: number;
  rampMs: number;
  accounts: number;
  accountMaxInflight: number;
  sampleEveryMs: number;
}

export interface BurstParams extends Pacing {
  kind: 'burst';
  requests: number;
  accounts: number;
  queueTimeoutMs: number;
  queueMaxLength: number;
}

/**
 * Scenario 5: clients that read nothing, or slowly, while long answers arrive as fast as the fake can send
 * them. Each behaviour runs once per answer length (`answerFrames` × `charsPerFrame` characters of content);
 * `frames` is the longest, for the warm-up's pacing.
 */
export interface SlowReadersParams extends Pacing {
  kind: 'slow-readers';
  streams: number;
  accounts: number;
  accountMaxInflight: number;
  /** Answer lengths in frames, short then long. */
  answerFrames: number[];
  /** (a) How long the clients read nothing (after the response head) before they disconnect. */
  holdMs: number;
  /** (b) What each slow client reads, bytes of the SSE body per second. */
  readBytesPerSecond: number;
  /** GC'd memory samples through the probe, this often. */
  sampleEveryMs: number;
  /** The gateway's CLIENT_WRITE_TIMEOUT_MS: longer than `holdMs`, so (a) measures memory, not cuts. */
  clientWriteTimeoutMs: number;
}

export type ScenarioParams =
  TtfbParams | StreamingParams | CapacityParams | BurstParams | SlowReadersParams | OfficialApiParams;

export const SCENARIO_TITLES: Record<ScenarioId, string> = {
  1: 'Time to first token (single request, +latency per call, real PoW)',
  2: 'Streaming overhead (concurrent paced streams)',
  3: 'Capacity (many concurrent slow streams)',
  4: 'Burst (requests over a few accounts, real locks)',
  5: 'Slow readers (memory per stream)',
  6: 'Official API path (UPSTREAM_MODE=api): added latency and CPU per 1000 frames',
};

/** PoW difficulty for scenarios that measure the relay: the answer is found in well under a millisecond. */
const TRIVIAL_DIFFICULTY = 1000;

export function scenarioParams(
  id: ScenarioId,
  quick: boolean,
  overrides: { capacityStreams?: number },
): ScenarioParams {
  switch (id) {
    case 1:
      return {
        kind: 'ttfb',
        samples: quick ? 4 : 30,
        warmup: quick ? 1 : 3,
        addedLatencyMs: 50,
        difficulty: 144_000,
        frames: 5,
        frameIntervalMs: 20,
        charsPerFrame: 4,
        accounts: 1,
      };
    case 2:
      return {
        kind: 'streaming',
        streams: quick ? 20 : 200,
        frames: quick ? 50 : 500,
        frameIntervalMs: 20,
        charsPerFrame: 4,
        difficulty: TRIVIAL_DIFFICULTY,
        rampMs: quick ? 200 : 1000,
        accounts: 64,
        accountMaxInflight: 64,
        firstTokenSamples: quick ? 4 : 30,
        // --quick stays fast: a stray reset there is smoke-test noise.
        settleBetweenPhasesMs: quick ? 0 : 5500,
      };
    case 3:
      return {
        kind: 'capacity',
        streams: overrides.capacityStreams ?? (quick ? 100 : 2000),
        frames: quick ? 10 : 40,
        frameIntervalMs: quick ? 200 : 500,
        charsPerFrame: 4,
        difficulty: TRIVIAL_DIFFICULTY,
        rampMs: quick ? 500 : 5000,
        accounts: 64,
        accountMaxInflight: 64,
        sampleEveryMs: quick ? 250 : 1000,
      };
    case 4:
      return {
        kind: 'burst',
        requests: quick ? 100 : 1000,
        accounts: quick ? 10 : 50,
        // Generations of ~0.4 s: the accounts (~125 answers/s) stay the bottleneck, so requests really
        // wait in the gateway's queue and some time out with a 429, on any machine.
        frames: quick ? 10 : 40,
        frameIntervalMs: 10,
        charsPerFrame: 4,
        difficulty: TRIVIAL_DIFFICULTY,
        queueTimeoutMs: quick ? 300 : 1000,
        queueMaxLength: 1000,
      };
    case 5:
      return {
        kind: 'slow-readers',
        streams: quick ? 20 : 50,
        // 4 KiB of content per frame: 1 MiB / 4 MiB (quick), 16 MiB / 32 MiB per answer. Both full sizes are
        // far beyond what loopback socket buffers absorb (about 4 MB a connection here), so the gateway's own
        // backpressure holds every stream for most of the run; flat memory shows as a ratio near 1.
        answerFrames: quick ? [256, 1024] : [4096, 8192],
        frames: quick ? 1024 : 8192,
        charsPerFrame: 4096,
        // Unpaced: the fake writes the whole answer in one write; the gateway's reads set the pace.
        frameIntervalMs: 0,
        difficulty: TRIVIAL_DIFFICULTY,
        accounts: 64,
        accountMaxInflight: 64,
        holdMs: quick ? 2000 : 6000,
        readBytesPerSecond: quick ? 512 * 1024 : 1024 * 1024,
        // Each sample is a full GC that blocks the loop: rare enough to stay out of the delay's p99.
        sampleEveryMs: quick ? 500 : 2000,
        clientWriteTimeoutMs: 30_000,
      };
    case 6:
      return officialApiParams(quick);
  }
}

/** Gateway environment a scenario needs besides PORT, HOST and DEEPSEEK_BASE_URL. */
export function scenarioGatewayEnv(params: ScenarioParams): Record<string, string> {
  switch (params.kind) {
    case 'ttfb':
      return {};
    case 'streaming':
    case 'capacity':
      // Several streams per account: the relay is measured, not the per-account lock.
      return { ACCOUNT_MAX_INFLIGHT: String(params.accountMaxInflight) };
    case 'burst':
      return {
        ACCOUNT_MAX_INFLIGHT: '1',
        QUEUE_TIMEOUT_MS: String(params.queueTimeoutMs),
        QUEUE_MAX_LENGTH: String(params.queueMaxLength),
      };
    case 'slow-readers':
      return {
        ACCOUNT_MAX_INFLIGHT: String(params.accountMaxInflight),
        CLIENT_WRITE_TIMEOUT_MS: String(params.clientWriteTimeoutMs),
      };
    case 'official-api':
      // The API's settings depend on the fake started for it: harness/official-api-scenario.ts.
      return {};
  }
}

/** Fake account tokens for the benchmark (never real credentials; still never printed). */
export function benchTokens(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench-account-${String(i).padStart(3, '0')}`);
}

/** Answer text that the fake splits into exactly `frames` frames of `charsPerFrame` characters. */
export function replyText(frames: number, charsPerFrame: number): string {
  const source = 'The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. ';
  let text = '';
  while (text.length < frames * charsPerFrame) text += source;
  return text.slice(0, frames * charsPerFrame);
}
