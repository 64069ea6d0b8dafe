import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultSpec } from '../../fake-deepseek';
import { chatBody, postChat } from '../../utils/chat-http';
import { type RawResponse } from '../../utils/http/raw-request';
import { expectOpenAiError, expectOpenAiErrorBody } from '../../utils/openai-error';
import { readChatStream } from '../../utils/sse/chat-stream';
import { LogCapture } from '../../utils/log-capture';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { expectSettled } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const REPLY = 'The quick brown fox jumps over the lazy dog, twice over.';
const FILTER_TEMPLATE = 'Let us talk about something else.';
const UPSTREAM_TIMEOUT_MS = 700;
const FIRST_BYTE_TIMEOUT_MS = 500;

type Mode = 'stream' | 'non-stream';

/** A fault of the fake's catalogue (docs/protocol.md §10.6) and what each kind of client must see. */
interface FaultCase {
  name: string;
  fault: Omit<FaultSpec, 'account'> | null;
  /** A capture of our own in place of the scripted stream (malformed frames). */
  replay?: string;
  model?: string;
  nonStream: (res: RawResponse) => void;
  stream: (res: RawResponse) => void;
}

const failsBeforeFirstByte =
  (status: number, match: Record<string, unknown>) =>
  (res: RawResponse): void =>
    expectOpenAiError(res, status, match);

/** Stream: 200, some content, then one error frame and the end (docs/api.md §3.5). */
const streamErrorFrame =
  (code: string) =>
  (res: RawResponse): void => {
    expect(res.status).toBe(200);
    const sse = readChatStream(res.text);
    expect(sse.content.length).toBeGreaterThan(0);
    expect(REPLY.startsWith(sse.content)).toBe(true);
    expect(sse.finishReason).toBeNull();
    expectOpenAiErrorBody({ error: sse.error });
    expect(sse.error.code).toBe(code);
    expect(sse.done).toBe(false);
  };

const completesWith =
  (content: string, finishReason: string) =>
  (res: RawResponse): void => {
    expect(res.status).toBe(200);
    if (res.headers['content-type']?.startsWith('text/event-stream')) {
      expect(readChatStream(res.text)).toMatchObject({ content, finishReason, error: null, done: true });
    } else {
      expect(res.json.choices[0]).toMatchObject({ message: { content }, finish_reason: finishReason });
    }
  };

const GARBAGE_AFTER_TOKENS = [
  'event: ready',
  'data: {"request_message_id":1,"response_message_id":2,"model_type":"default"}',
  '',
  'data: {"v":{"response":{"message_id":2,"parent_id":1,"fragments":[{"id":1,"type":"RESPONSE","content":"The quick"}],"status":"WIP"}}}',
  '',
  'data: {"p":"response/fragments/-1/content","o":"APPEND","v":" brown"}',
  '',
  'data: {"p":"response/fragm',
  '',
  'data: \u0000\u0001\u00ff not json at all',
  '',
  'data: [1,2,',
  '',
  '',
].join('\n');

const ONLY_GARBAGE = ['data: {{{', '', 'event: hint', 'data: nope', '', 'data: "unterminated', '', ''].join('\n');

const CASES: FaultCase[] = [
  {
    name: 'waf_html (Cloudflare page)',
    fault: { fault: 'waf_html', endpoint: 'completion' },
    nonStream: failsBeforeFirstByte(503, { code: 'upstream_blocked' }),
    stream: failsBeforeFirstByte(503, { code: 'upstream_blocked' }),
  },
  {
    name: 'waf_html (AWS WAF, HTTP 202)',
    fault: { fault: 'waf_html', endpoint: 'completion', params: { variant: 'aws', status: 202 } },
    nonStream: failsBeforeFirstByte(503, { code: 'upstream_blocked' }),
    stream: failsBeforeFirstByte(503, { code: 'upstream_blocked' }),
  },
  {
    name: 'auth_40003',
    fault: { fault: 'auth_40003', endpoint: 'completion' },
    nonStream: failsBeforeFirstByte(401, { code: 'invalid_api_key' }),
    stream: failsBeforeFirstByte(401, { code: 'invalid_api_key' }),
  },
  {
    name: 'muted',
    fault: { fault: 'muted', endpoint: 'completion', params: { seconds: 600 } },
    nonStream: failsBeforeFirstByte(403, { code: 'account_muted' }),
    stream: failsBeforeFirstByte(403, { code: 'account_muted' }),
  },
  {
    name: 'throttle (40029)',
    fault: { fault: 'throttle', endpoint: 'completion' },
    nonStream: failsBeforeFirstByte(429, { code: 'rate_limit_exceeded' }),
    stream: failsBeforeFirstByte(429, { code: 'rate_limit_exceeded' }),
  },
  {
    name: 'throttle (HTTP 429)',
    fault: { fault: 'throttle', endpoint: 'completion', params: { http429: true } },
    nonStream: failsBeforeFirstByte(429, { code: 'rate_limit_exceeded' }),
    stream: failsBeforeFirstByte(429, { code: 'rate_limit_exceeded' }),
  },
  {
    name: 'busy (SSE form)',
    fault: { fault: 'busy', endpoint: 'completion', params: { form: 'sse' } },
    nonStream: failsBeforeFirstByte(429, { code: 'rate_limit_exceeded' }),
    stream: failsBeforeFirstByte(429, { code: 'rate_limit_exceeded' }),
  },
  {
    name: 'busy (envelope form)',
    fault: { fault: 'busy', endpoint: 'completion', params: { form: 'envelope' } },
    nonStream: failsBeforeFirstByte(429, { code: 'rate_limit_exceeded' }),
    stream: failsBeforeFirstByte(429, { code: 'rate_limit_exceeded' }),
  },
  {
    name: 'hint_error before any token',
    fault: { fault: 'hint_error', params: { afterTokens: 0 } },
    nonStream: failsBeforeFirstByte(400, { code: 'context_length_exceeded' }),
    stream: failsBeforeFirstByte(400, { code: 'context_length_exceeded' }),
  },
  {
    name: 'hint_error after 3 tokens',
    fault: { fault: 'hint_error', params: { afterTokens: 3 } },
    nonStream: failsBeforeFirstByte(400, { code: 'context_length_exceeded' }),
    stream: streamErrorFrame('context_length_exceeded'),
  },
  {
    // The upstream answered, then cut its answer: a bad answer, not an unreachable upstream (no failover).
    name: 'disconnect before any token',
    fault: { fault: 'disconnect', params: { afterTokens: 0 } },
    nonStream: failsBeforeFirstByte(502, { code: 'upstream_error' }),
    stream: failsBeforeFirstByte(502, { code: 'upstream_error' }),
  },
  {
    name: 'disconnect after 3 tokens',
    fault: { fault: 'disconnect', params: { afterTokens: 3 } },
    nonStream: failsBeforeFirstByte(502, { code: 'upstream_error' }),
    stream: streamErrorFrame('upstream_error'),
  },
  {
    name: 'incomplete (auto-continued)',
    fault: { fault: 'incomplete', params: { afterTokens: 3, unsentChars: 2 } },
    nonStream: completesWith(REPLY, 'stop'),
    stream: completesWith(REPLY, 'stop'),
  },
  {
    name: 'content_filter after 2 tokens',
    fault: { fault: 'content_filter', params: { afterTokens: 2, template: FILTER_TEMPLATE } },
    // docs/protocol.md §8.6: the non-stream answer is the template alone (a stream cannot take back what it sent).
    nonStream: completesWith(FILTER_TEMPLATE, 'content_filter'),
    stream: (res) => {
      expect(res.status).toBe(200);
      const sse = readChatStream(res.text);
      expect(sse).toMatchObject({ finishReason: 'content_filter', error: null, done: true });
      expect(sse.content).not.toContain('CONTENT_FILTER');
    },
  },
  {
    name: 'context_length',
    fault: { fault: 'context_length' },
    nonStream: failsBeforeFirstByte(400, { code: 'context_length_exceeded', param: 'messages' }),
    stream: failsBeforeFirstByte(400, { code: 'context_length_exceeded', param: 'messages' }),
  },
  {
    name: 'slow_first_byte within the first-byte timeout',
    fault: { fault: 'slow_first_byte', endpoint: 'completion', params: { ms: 150 } },
    nonStream: completesWith(REPLY, 'stop'),
    stream: completesWith(REPLY, 'stop'),
  },
  {
    name: 'slow_first_byte beyond the first-byte timeout',
    fault: { fault: 'slow_first_byte', endpoint: 'completion', params: { ms: FIRST_BYTE_TIMEOUT_MS * 3 } },
    nonStream: failsBeforeFirstByte(504, { code: 'upstream_timeout' }),
    stream: failsBeforeFirstByte(504, { code: 'upstream_timeout' }),
  },
  {
    name: 'stall before any token',
    fault: { fault: 'stall', params: { afterTokens: 0 } },
    nonStream: failsBeforeFirstByte(504, { code: 'upstream_timeout' }),
    stream: failsBeforeFirstByte(504, { code: 'upstream_timeout' }),
  },
  {
    name: 'stall after 3 tokens',
    fault: { fault: 'stall', params: { afterTokens: 3 } },
    nonStream: failsBeforeFirstByte(504, { code: 'upstream_timeout' }),
    stream: streamErrorFrame('upstream_timeout'),
  },
  {
    name: 'model_unavailable',
    fault: { fault: 'model_unavailable', endpoint: 'completion' },
    model: 'deepseek-v4-pro',
    // The default mode answers instead, and says so in x-deepseek-model-fallback.
    nonStream: completesWith(REPLY, 'stop'),
    stream: completesWith(REPLY, 'stop'),
  },
  {
    name: 'malformed frames after the first tokens',
    fault: null,
    replay: 'garbage-after-tokens',
    nonStream: failsBeforeFirstByte(502, { code: 'upstream_error' }),
    stream: streamErrorFrame('upstream_error'),
  },
  {
    name: 'nothing but malformed frames',
    fault: null,
    replay: 'only-garbage',
    nonStream: failsBeforeFirstByte(502, { code: 'upstream_error' }),
    stream: failsBeforeFirstByte(502, { code: 'upstream_error' }),
  },
];

describe('upstream faults: what the client sees, and nothing leaks (e2e)', () => {
  let stack: Stack;
  const logs = new LogCapture();
  let capturesDir: string;
  const tokens: string[] = [];

  beforeAll(async () => {
    capturesDir = mkdtempSync(join(tmpdir(), 'gateway-captures-'));
    for (const [id, body] of [
      ['garbage-after-tokens', GARBAGE_AFTER_TOKENS],
      ['only-garbage', ONLY_GARBAGE],
    ]) {
      mkdirSync(join(capturesDir, id));
      writeFileSync(join(capturesDir, id, 'upstream.stream.sse'), body);
    }
    stack = await startStack({
      tokens: [],
      fake: { reply: { content: REPLY }, tokenDelayMs: 3, capturesDir },
      env: {
        UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
        UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(FIRST_BYTE_TIMEOUT_MS),
        // Busy and throttled accounts cool down for seconds while the request waits: the queue timeout ends it.
        QUEUE_TIMEOUT_MS: '400',
      },
      logger: logs,
    });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(capturesDir, { recursive: true, force: true });
    expectNoSecrets(logs.text(), tokens, 'the gateway log of the fault suite');
  });

  /** A fresh account per case, so one case's health verdict (invalid, muted, cooling) cannot shape the next. */
  function freshAccount(label: string): string {
    const [token] = makeTokens(`fault-${tokens.length}-${label.replace(/\W+/g, '')}`, 1);
    tokens.push(token);
    stack.fake.configure({ accounts: [token] });
    return token;
  }

  describe.each<Mode>(['non-stream', 'stream'])('%s', (mode) => {
    it.each(CASES.map((c) => [c.name, c] as const))(
      'should answer %s as specified, then hold nothing',
      async (_, c) => {
        const token = freshAccount(c.name);
        if (c.fault) stack.fake.addFault({ ...c.fault, account: token } as FaultSpec);
        if (c.replay) stack.fake.configure({ replay: c.replay });
        const body = chatBody({ model: c.model ?? 'deepseek-chat', stream: mode === 'stream' });

        const res = await postChat(stack.baseURL, body, { tokens: [token] });

        (mode === 'stream' ? c.stream : c.nonStream)(res);
        if (c.fault) {
          expect(stack.fake.state().faults.consumed.map((f) => [f.fault, f.account])).toContainEqual([
            c.fault.fault,
            token,
          ]);
        }
        await expectSettled(stack);
        expectNoSecrets(res.text, [token], 'the response body');
      },
    );
  });

  it("should log nothing at error level for upstream faults, which are the upstream's and not ours", () => {
    expect(logs.lines.filter((line) => line.startsWith('error') || line.startsWith('fatal'))).toEqual([]);
  });
});
