import { accountIdOf } from '../../../src/tokens/pool/account';
import { type AccountCondition, AccountHealthService } from '../../../src/tokens/pool/account-health.service';
import type { FaultSpec } from '../../fake-deepseek';
import { chatBody, postChat } from '../../utils/chat-http';
import { type RawResponse } from '../../utils/http/raw-request';
import { expectOpenAiError } from '../../utils/openai-error';
import { readChatStream } from '../../utils/sse/chat-stream';
import { LogCapture } from '../../utils/log-capture';
import { expectNoSecrets, makeTokens } from '../../utils/secrets';
import { expectSettled } from '../../utils/settle';
import { type Stack, startStack } from '../../utils/stack';

const REPLY = 'Seven words of an answer, no more.';

type Mode = 'stream' | 'non-stream';
const MODES: Mode[] = ['non-stream', 'stream'];

/** What one 2026 upstream signal must become for the client, in both modes, and for the account. */
interface SignalCase {
  name: string;
  fault: Omit<FaultSpec, 'account'>;
  expect: (res: RawResponse, mode: Mode) => void;
  /** The account's condition in the pool afterwards. */
  account: AccountCondition['kind'];
}

const fails =
  (status: number, code: string) =>
  (res: RawResponse): void =>
    expectOpenAiError(res, status, { code });

const CASES: SignalCase[] = [
  {
    name: 'USER_IS_BANNED (biz_code 10)',
    fault: { fault: 'banned', endpoint: 'completion' },
    expect: fails(403, 'account_banned'),
    account: 'banned',
  },
  {
    name: 'the "temporarily disabled" suspension (envelope)',
    fault: { fault: 'suspended', endpoint: 'completion', params: { form: 'envelope' } },
    expect: fails(403, 'account_muted'),
    account: 'muted',
  },
  {
    name: 'the "temporarily disabled" suspension (in the stream)',
    fault: { fault: 'suspended', endpoint: 'completion', params: { form: 'sse' } },
    expect: fails(403, 'account_muted'),
    account: 'muted',
  },
  {
    name: 'CLIENT_VERSION_TOO_LOW (40005)',
    fault: { fault: 'client_version_too_low', endpoint: 'create_pow_challenge' },
    expect: (res) => {
      expectOpenAiError(res, 502, { code: 'upstream_client_outdated' });
      expect(res.json.error.message).toContain('DEEPSEEK_CLIENT_VERSION');
    },
    account: 'ready',
  },
  {
    name: 'CONTENT_TOO_LONG',
    fault: { fault: 'content_too_long' },
    expect: fails(400, 'context_length_exceeded'),
    account: 'ready',
  },
  {
    name: 'CANCELLED before any text',
    fault: { fault: 'cancelled', params: { afterTokens: 0 } },
    expect: fails(502, 'upstream_error'),
    account: 'ready',
  },
  {
    name: 'CANCELLED after some text',
    fault: { fault: 'cancelled', params: { afterTokens: 3 } },
    expect: (res, mode) => {
      expect(res.status).toBe(200);
      const { content, finishReason } =
        mode === 'stream'
          ? readChatStream(res.text)
          : { content: res.json.choices[0].message.content, finishReason: res.json.choices[0].finish_reason };
      expect(content.length).toBeGreaterThan(0);
      expect(REPLY.startsWith(content)).toBe(true);
      expect(finishReason).toBe('stop');
    },
    account: 'ready',
  },
  {
    name: 'CONTENT_EMPTY on the only account',
    fault: { fault: 'content_empty' },
    expect: fails(502, 'upstream_empty_answer'),
    account: 'ready',
  },
  {
    name: 'a hint error input_exceeds_limit',
    fault: { fault: 'hint_error', params: { finish_reason: 'input_exceeds_limit' } },
    expect: fails(400, 'context_length_exceeded'),
    account: 'ready',
  },
  {
    // Throttled: the account cools down 5 s while the request waits; this suite's queue timeout ends first.
    name: 'a hint error rate_limit_reached',
    fault: {
      fault: 'hint_error',
      params: { finish_reason: 'rate_limit_reached', message: 'Messages too frequent. Try again later.' },
    },
    expect: fails(429, 'rate_limit_exceeded'),
    account: 'cooling',
  },
  {
    name: 'close with click_behavior "retry" and no terminal status',
    fault: { fault: 'close_retry', params: { afterTokens: 0 } },
    expect: fails(502, 'upstream_error'),
    account: 'ready',
  },
  {
    name: 'the AWS WAF challenge (HTTP 202)',
    fault: { fault: 'waf_html', endpoint: 'completion', params: { variant: 'aws' } },
    expect: fails(503, 'upstream_blocked'),
    account: 'ready',
  },
];

describe('the 2026 upstream signals, as clients and accounts see them (e2e)', () => {
  let stack: Stack;
  const logs = new LogCapture();
  const tokens: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      tokens: [],
      fake: { reply: { content: REPLY }, tokenDelayMs: 2 },
      env: { QUEUE_TIMEOUT_MS: '400' },
      logger: logs,
    });
  });
  afterAll(async () => {
    await stack?.close();
    expectNoSecrets(logs.text(), tokens, 'the gateway log');
  });

  function freshAccount(): string {
    const [token] = makeTokens(`signal-${tokens.length}`, 1);
    tokens.push(token);
    stack.fake.configure({ accounts: [token] });
    return token;
  }

  describe.each(MODES)('%s', (mode) => {
    it.each(CASES.map((c) => [c.name, c] as const))('should map %s', async (_, c) => {
      const token = freshAccount();
      stack.fake.addFault({ ...c.fault, account: token } as FaultSpec);

      const res = await postChat(stack.baseURL, chatBody({ stream: mode === 'stream' }), { tokens: [token] });

      c.expect(res, mode);
      expect(stack.fake.state().faults.consumed.map((f) => f.account)).toContain(token);
      await expectSettled(stack);
      expect(stack.server.app.get(AccountHealthService).condition(accountIdOf(token)).kind).toBe(c.account);
    });
  });

  it('should not ask DeepSeek again for a banned account, and say it is banned', async () => {
    const token = freshAccount();
    stack.fake.addFault({ fault: 'banned', account: token, endpoint: 'completion', params: { permanent: true } });
    expectOpenAiError(await postChat(stack.baseURL, chatBody(), { tokens: [token] }), 403, { code: 'account_banned' });
    const calls = stack.fake.state().requests.completion;

    const again = await postChat(stack.baseURL, chatBody(), { tokens: [token] });

    expectOpenAiError(again, 403, { code: 'account_banned' });
    expect(stack.fake.state().requests.completion).toBe(calls);
  });

  it('should not mark the account for a client version DeepSeek refuses: the next request on it is answered', async () => {
    const token = freshAccount();
    stack.fake.configure({ minClientVersion: '9.0.0' });
    try {
      expectOpenAiError(await postChat(stack.baseURL, chatBody(), { tokens: [token] }), 502, {
        code: 'upstream_client_outdated',
      });
    } finally {
      stack.fake.configure({ minClientVersion: null });
    }
    const res = await postChat(stack.baseURL, chatBody(), { tokens: [token] });
    expect(res.status).toBe(200);
  });

  it.each(MODES)('should retry CONTENT_EMPTY once on another account (%s)', async (mode) => {
    const [empty, good] = [freshAccount(), freshAccount()];
    stack.fake.addFault({ fault: 'content_empty', account: empty });

    const res = await postChat(stack.baseURL, chatBody({ stream: mode === 'stream' }), { tokens: [empty, good] });

    expect(res.status).toBe(200);
    const content = mode === 'stream' ? readChatStream(res.text).content : res.json.choices[0].message.content;
    expect(content).toBe(REPLY);
    expect(stack.fake.state().accounts[good].generations).toBe(1);
  });

  it('should send the 2026 completion body and client headers', async () => {
    const token = freshAccount();

    expect((await postChat(stack.baseURL, chatBody(), { tokens: [token] })).status).toBe(200);

    const state = stack.fake.state();
    const [message] = Object.values(state.sessions).find((session) => session.account === token)!.messages;
    expect(message).toMatchObject({ source: 'input', preempt: false, actionSent: true, modelTypeSent: 'default' });
    expect(state.lastHeaders.completion).toMatchObject({
      'x-client-platform': 'web',
      'x-client-version': '2.4.0',
      'x-client-timezone-offset': expect.stringMatching(/^-?\d+$/),
    });
    expect(state.lastHeaders.completion).not.toHaveProperty('x-app-version');
    expect(Object.keys(state.lastHeaders.completion ?? {}).filter((name) => name.startsWith('x-hif'))).toEqual([]);
  });
});

describe('model modes DeepSeek does not offer (e2e)', () => {
  it.each(MODES)(
    'should answer an expert request in the default mode and say so in x-deepseek-model-fallback (%s)',
    async (mode) => {
      const stack = await startStack({ tokens: ['tok-flash'], fake: { unavailableModels: ['expert', 'vision'] } });
      try {
        const res = await postChat(stack.baseURL, chatBody({ model: 'deepseek-v4-pro', stream: mode === 'stream' }), {
          tokens: ['tok-flash'],
        });

        expect(res.status).toBe(200);
        expect(res.headers['x-deepseek-model-fallback']).toBe('expert->default');
        const [message] = Object.values(stack.fake.state().sessions)[0].messages;
        expect(message.modelType).toBe('default');
        expect(stack.fake.state().requests.client_settings).toBe(1);
      } finally {
        await stack.close();
      }
    },
  );

  it('should refuse it with a 400 naming the model under STRICT_MODELS=true, without a completion', async () => {
    const stack = await startStack({
      tokens: ['tok-flash'],
      fake: { unavailableModels: ['expert'] },
      env: { STRICT_MODELS: 'true' },
    });
    try {
      const res = await postChat(stack.baseURL, chatBody({ model: 'deepseek-v4-pro' }), { tokens: ['tok-flash'] });

      expectOpenAiError(res, 400, { code: 'model_not_available', param: 'model' });
      expect(stack.fake.state().requests.completion ?? 0).toBe(0);
    } finally {
      await stack.close();
    }
  });

  it('should fall back when the settings were unreadable and the completion itself refuses the mode', async () => {
    const stack = await startStack({ tokens: ['tok-flash'], fake: { reply: { content: REPLY } } });
    try {
      stack.fake.addFault({ fault: 'waf_html', endpoint: 'client_settings' });
      stack.fake.addFault({ fault: 'model_unavailable', endpoint: 'completion' });

      const res = await postChat(stack.baseURL, chatBody({ model: 'deepseek-v4-pro' }), { tokens: ['tok-flash'] });

      expect(res.status).toBe(200);
      expect(res.json.choices[0].message.content).toBe(REPLY);
      expect(res.headers['x-deepseek-model-fallback']).toBe('expert->default');
    } finally {
      await stack.close();
    }
  });
});
