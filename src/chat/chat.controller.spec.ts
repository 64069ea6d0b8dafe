import type { INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { from, map, NEVER, Observable, of } from 'rxjs';
import request from 'supertest';
import { ApiError } from '../common/errors/api-error';
import { ApiExceptionFilter } from '../common/filters/api-exception.filter';
import { requestIdMiddleware } from '../common/http/request-id.middleware';
import { ClientGoneError } from '../common/lifecycle/abort';
import { InflightRegistry } from '../common/lifecycle/inflight-registry';
import type { SseStream } from '../common/sse/sse-response.service';
import { SseResponseService } from '../common/sse/sse-response.service';
import { appConfig } from '../config/app.config';
import { tokensConfig } from '../config/tokens.config';
import { UpstreamError } from '../deepseek/upstream-error';
import { AccountsGuard } from '../tokens/auth/accounts.guard';
import { CredentialsService } from '../tokens/auth/credentials.service';
import { testAppConfig } from '../../test/utils/chat/chat-rig';
import { testTokensConfig } from '../../test/utils/tokens/test-tokens-config';
import type { ChatCall } from './chat-call.decorator';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import type { ChatCompletion } from './openai/openai-types';

const TOKEN = 'tok-controller-spec';
const KEEP_ALIVE_MS = 50;
const COMPLETION: ChatCompletion = {
  id: 'session@2',
  object: 'chat.completion',
  created: 1,
  model: 'deepseek-chat',
  choices: [
    { index: 0, message: { role: 'assistant', content: 'Hi.', refusal: null }, logprobs: null, finish_reason: 'stop' },
  ],
};
const FRAMES = ['data: {"a":1}\n\n', 'data: [DONE]\n\n'];

const sseStream = (frames: Observable<string>, started: Promise<unknown> = Promise.resolve()): SseStream => ({
  started,
  frames,
  pause: () => undefined,
  resume: () => undefined,
});
const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** ChatService as the controller sees it: answers set by each spec, calls recorded. */
class FakeChatService {
  readonly calls: ChatCall[] = [];
  answer: (call: ChatCall) => Promise<ChatCompletion> = () => Promise.resolve(COMPLETION);
  streamed: (call: ChatCall) => SseStream = () => sseStream(of(...FRAMES));

  complete(_request: unknown, _credentials: unknown, call: ChatCall): Promise<ChatCompletion> {
    this.calls.push(call);
    return this.answer(call);
  }

  stream(_request: unknown, _credentials: unknown, call: ChatCall): SseStream {
    this.calls.push(call);
    return this.streamed(call);
  }
}

describe('ChatController (POST /v1/chat/completions)', () => {
  let app: INestApplication;
  let chat: FakeChatService;
  let inflight: InflightRegistry;

  beforeEach(async () => {
    chat = new FakeChatService();
    const moduleRef = await Test.createTestingModule({
      controllers: [ChatController],
      providers: [
        { provide: ChatService, useValue: chat },
        SseResponseService,
        InflightRegistry,
        CredentialsService,
        AccountsGuard,
        { provide: tokensConfig.KEY, useValue: testTokensConfig() },
        { provide: appConfig.KEY, useValue: testAppConfig({ keepAliveIntervalMs: KEEP_ALIVE_MS }) },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false, forceCloseConnections: true });
    app.use(requestIdMiddleware);
    await app.listen(0, '127.0.0.1');
    inflight = app.get(InflightRegistry);
  });
  afterEach(() => app.close());

  const post = (body: Record<string, unknown> = {}) =>
    request(app.getHttpServer())
      .post('/v1/chat/completions')
      .set('authorization', `Bearer ${TOKEN}`)
      .send({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }], ...body });

  it('should refuse a request without credentials with 401 invalid_api_key, before the service', async () => {
    const res = await request(app.getHttpServer()).post('/v1/chat/completions').send({});
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    expect(chat.calls).toHaveLength(0);
  });

  it('should answer a body without messages with 400 and the exact OpenAI error', async () => {
    const res = await post({ messages: undefined });
    expect([res.status, res.body]).toEqual([
      400,
      {
        error: {
          message: "Missing required parameter: 'messages'.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'missing_required_parameter',
        },
      },
    ]);
    expect(chat.calls).toHaveLength(0);
  });

  it('should answer stream: false with the completion as JSON, counted in flight while it runs', async () => {
    let inflightDuring = 0;
    chat.answer = () => {
      inflightDuring = inflight.size;
      return Promise.resolve(COMPLETION);
    };
    const res = await post();
    expect([res.status, res.body]).toEqual([200, COMPLETION]);
    expect(res.headers['x-deepseek-model-fallback']).toBeUndefined();
    expect(inflightDuring).toBe(1);
    expect(inflight.size).toBe(0);
    expect(chat.calls[0].signal.aborted).toBe(false);
  });

  it('should say in x-deepseek-model-fallback which mode answered instead', async () => {
    chat.answer = (call) => {
      call.trace.modelFallback = 'expert->default';
      return Promise.resolve(COMPLETION);
    };
    const res = await post({ model: 'deepseek-v4-pro' });
    expect(res.headers['x-deepseek-model-fallback']).toBe('expert->default');
  });

  it('should answer a failed JSON answer with its status, OpenAI body and retry-after', async () => {
    chat.answer = () => Promise.reject(new UpstreamError('busy', 'fake busy'));
    const res = await post();
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body).toEqual({
      error: {
        message: 'The DeepSeek account is already generating an answer; try again shortly.',
        type: 'requests',
        param: null,
        code: 'account_busy',
      },
    });
  });

  it('should answer an unexpected failure 500 internal_error with the request id and nothing of its message', async () => {
    chat.answer = () => Promise.reject(new TypeError(`broken near ${TOKEN}`));
    const res = await post().set('x-request-id', 'req-spec-1');
    expect([res.status, res.body.error]).toEqual([
      500,
      {
        message: 'Internal server error (request id req-spec-1).',
        type: 'server_error',
        param: null,
        code: 'internal_error',
      },
    ]);
  });

  it('should stream stream: true as SSE with the headers that keep proxies from buffering it', async () => {
    const res = await post({ stream: true });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache, no-transform');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.text).toBe(FRAMES.join(''));
  });

  it('should answer a stream the service refuses outright (its plan) with that status', async () => {
    chat.streamed = () => {
      throw ApiError.badRequest('too long', 'messages', 'context_length_exceeded');
    };
    const res = await post({ stream: true });
    expect([res.status, res.body.error.code]).toEqual([400, 'context_length_exceeded']);
  });

  it('should keep the real status of a pre-flight that fails within the keep-alive interval', async () => {
    chat.streamed = () => sseStream(NEVER, Promise.reject(new UpstreamError('banned', 'fake banned')));
    const res = await post({ stream: true });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error).toMatchObject({ code: 'account_banned', type: 'permission_error' });
  });

  it('should commit to a 200 stream with keep-alives when the pre-flight takes longer', async () => {
    chat.streamed = () => {
      const started = after(KEEP_ALIVE_MS * 3);
      return sseStream(from(started).pipe(map(() => FRAMES[0])), started);
    };
    const res = await post({ stream: true });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^(: keep-alive\n\n)+data: \{"a":1\}\n\n$/);
  });

  it('should refuse new work while draining with 503 server_shutting_down and retry-after, before the service', async () => {
    void inflight.drain(0);
    const res = await post();
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.body.error).toMatchObject({ code: 'server_shutting_down', type: 'server_error' });
    expect(chat.calls).toHaveLength(0);
  });

  it('should abort the call with ClientGoneError, drop the stream and leave no request in flight when the client leaves', async () => {
    let subscribed = false;
    chat.streamed = () =>
      sseStream(
        new Observable<string>((subscriber) => {
          subscribed = true;
          subscriber.next(FRAMES[0]);
          return () => (subscribed = false);
        }),
      );
    const { port } = app.getHttpServer().address() as AddressInfo;
    const client = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    });
    client.on('error', () => undefined);
    client.end(JSON.stringify({ model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Hi' }] }));
    const res = await new Promise<IncomingMessage>((resolve) => client.on('response', resolve));
    await new Promise((resolve) => res.once('data', resolve));
    expect([subscribed, inflight.size]).toEqual([true, 1]);

    client.destroy();
    await waitFor(() => inflight.size === 0);
    expect(chat.calls[0].signal.reason).toBeInstanceOf(ClientGoneError);
    expect(subscribed).toBe(false);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await after(5);
  if (!condition()) throw new Error('the condition never held');
}
