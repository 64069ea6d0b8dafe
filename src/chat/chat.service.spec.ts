import { openAiEncoder } from './openai/openai-encoder';
import { Logger } from '@nestjs/common';
import { lastValueFrom, toArray } from 'rxjs';
import { ApiError } from '../common/errors/api-error';
import { ClientGoneError } from '../common/lifecycle/abort';
import { UpstreamError } from '../deepseek/upstream-error';
import { createAccount } from '../tokens/pool/account';
import { chatCall, chatRequest, type ChatRig, createChatRig } from '../../test/utils/chat/chat-rig';
import { formatConversationId } from './conversation-id';
import type { SseStream } from '../common/sse/sse-response.service';

const [ALICE, BOB] = ['tok-chat-alice', 'tok-chat-bob'];
const credentials = (...tokens: string[]) => ({ accounts: tokens.map(createAccount), caller: null, client: 'spec' });

/** The data lines of a stream, parsed; `[DONE]` as the string. */
async function framesOf(stream: SseStream): Promise<unknown[]> {
  const text = (await lastValueFrom(stream.frames.pipe(toArray()))).join('');
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => frame.replace(/^data: /, ''))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

const contentOf = (frames: unknown[]) =>
  frames
    .map((frame) => (frame as { choices?: { delta: { content?: string } }[] }).choices?.[0]?.delta.content ?? '')
    .join('');

describe('ChatService', () => {
  let rig: ChatRig;

  beforeEach(async () => {
    rig = await createChatRig({ app: { maxPromptChars: 10 } });
  });
  afterEach(() => rig.close());

  describe('complete', () => {
    it('should answer one chat.completion and give the account back once, when the upstream closed', async () => {
      rig.client.script(ALICE, { reply: 'Hello there.' });
      const call = chatCall();
      const completion = await rig.chat.complete(chatRequest(), credentials(ALICE), call, openAiEncoder);
      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: 'deepseek-chat',
        choices: [{ message: { role: 'assistant', content: 'Hello there.' }, finish_reason: 'stop' }],
      });
      expect(rig.locks.releaseCounts()).toEqual([1]);
      expect(call.trace).toMatchObject({ model: 'deepseek-chat', stream: false, account: createAccount(ALICE).id });
    });

    it('should cut the answer at max_tokens with finish_reason length, the upstream stopped', async () => {
      rig.client.script(ALICE, { partial: 'one two three four five six seven eight nine ten' });
      const completion = await rig.chat.complete(
        chatRequest({ max_tokens: 3 }),
        credentials(ALICE),
        chatCall(),
        openAiEncoder,
      );
      expect(completion.choices[0]).toMatchObject({ message: { content: 'one two three ' }, finish_reason: 'length' });
      expect(completion.usage?.completion_tokens).toBe(3);
      await rig.client.started[0].closed;
      expect(rig.client.started[0].stoppedBy).toBe('unsubscribed');
      expect(rig.locks.releaseCounts()).toEqual([1]);
    });

    it('should reject with what the upstream refused, every lease given back', async () => {
      rig.client.script(ALICE, { refuse: new UpstreamError('context_length', 'too long') });
      await expect(
        rig.chat.complete(chatRequest(), credentials(ALICE, BOB), chatCall(), openAiEncoder),
      ).rejects.toMatchObject({
        kind: 'context_length',
      });
      expect(rig.locks.releaseCounts()).toEqual([1]);
    });

    it('should answer an unknown conversation_id with 404 conversation_not_found, without asking DeepSeek', async () => {
      const request = chatRequest({ conversation_id: formatConversationId('0a3c904d-5761-4cf0-ae51-9b41c1c78f1e', 2) });
      const rejection = rig.chat.complete(request, credentials(ALICE, BOB), chatCall(), openAiEncoder);
      await expect(rejection).rejects.toBeInstanceOf(ApiError);
      await expect(rejection).rejects.toMatchObject({ status: 404, code: 'conversation_not_found' });
      expect(rig.client.attempts).toEqual([]);
    });

    it('should continue a conversation on the account that started it', async () => {
      const first = await rig.chat.complete(chatRequest(), credentials(ALICE, BOB), chatCall(), openAiEncoder);
      await rig.chat.complete(
        chatRequest({ conversation_id: first.id }),
        credentials(ALICE, BOB),
        chatCall(),
        openAiEncoder,
      );
      expect(rig.client.attemptedTokens()).toEqual([ALICE, ALICE]);
      expect(rig.client.attempts[1].sessionId).toBe(rig.client.started[0].sessionId);
    });

    it('should answer an expert model the accounts lack in the default mode, and say so in the trace', async () => {
      rig.client.offerModes({ default: true, expert: false });
      const call = chatCall();
      await rig.chat.complete(chatRequest({ model: 'deepseek-v4-pro' }), credentials(ALICE), call, openAiEncoder);
      expect(rig.client.attempts[0].modelType).toBe('default');
      expect(call.trace.modelFallback).toBe('expert->default');
    });
  });

  describe('stream', () => {
    it('should start the pre-flight at once, then stream role, content, finish and [DONE]', async () => {
      rig.client.script(ALICE, { reply: 'Hello there.' });
      const call = chatCall();
      const stream = rig.chat.stream(chatRequest({ stream: true }), credentials(ALICE), call, openAiEncoder);
      await stream.started;
      const frames = await framesOf(stream);
      expect(frames[0]).toMatchObject({ object: 'chat.completion.chunk', choices: [{ delta: { role: 'assistant' } }] });
      expect(contentOf(frames)).toBe('Hello there.');
      expect(frames.at(-2)).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
      expect(frames.at(-1)).toBe('[DONE]');
      expect(rig.locks.releaseCounts()).toEqual([1]);
      expect(call.trace).toMatchObject({ stream: true });
    });

    it('should refuse a prompt over the limit before any upstream call', () => {
      const request = chatRequest({ stream: true, messages: [{ role: 'user', content: 'x'.repeat(20) }] });
      expect(() => rig.chat.stream(request, credentials(ALICE), chatCall(), openAiEncoder)).toThrow(
        expect.objectContaining({ status: 400, code: 'context_length_exceeded' }),
      );
      expect(rig.client.attempts).toEqual([]);
    });

    it('should end a stream that fails mid-answer with one error frame and no [DONE]', async () => {
      rig.client.script(ALICE, { partial: 'Hel' });
      const call = chatCall();
      const stream = rig.chat.stream(chatRequest({ stream: true }), credentials(ALICE), call, openAiEncoder);
      await stream.started;
      const frames = framesOf(stream);
      rig.client.started[0].fail(new UpstreamError('bad_response', 'cut: tok-chat-alice'));
      const received = await frames;
      expect(contentOf(received)).toBe('Hel');
      expect(received.at(-1)).toEqual({
        error: {
          message: 'DeepSeek sent an unexpected answer.',
          type: 'server_error',
          param: null,
          code: 'upstream_error',
        },
      });
      expect(received).not.toContain('[DONE]');
      expect(call.trace.upstreamError).toBe('bad_response');
      expect(rig.locks.releaseCounts()).toEqual([1]);
    });

    it('should reject `started` with a pre-flight failure, and frame it for a stream already committed', async () => {
      rig.client.script(ALICE, { refuse: new UpstreamError('context_length', 'too long') });
      const stream = rig.chat.stream(chatRequest({ stream: true }), credentials(ALICE), chatCall(), openAiEncoder);
      await expect(stream.started).rejects.toMatchObject({ kind: 'context_length' });
      expect(await framesOf(stream)).toEqual([
        {
          error: {
            message: "The conversation exceeds DeepSeek's maximum context length; shorten the messages.",
            type: 'invalid_request_error',
            param: 'messages',
            code: 'context_length_exceeded',
          },
        },
      ]);
    });

    it('should stop the upstream and give the account back when the client leaves mid-answer', async () => {
      rig.client.script(ALICE, { partial: 'Hel' });
      const client = new AbortController();
      const stream = rig.chat.stream(
        chatRequest({ stream: true }),
        credentials(ALICE),
        chatCall(client.signal),
        openAiEncoder,
      );
      await stream.started;
      const subscription = stream.frames.subscribe();
      client.abort(new ClientGoneError());
      subscription.unsubscribe();
      await rig.client.started[0].closed;
      expect(rig.client.started[0].stoppedBy).toBeInstanceOf(ClientGoneError);
      expect(rig.locks.releaseCounts()).toEqual([1]);
    });

    it('should end at a stop string, stop the upstream at once and give the account back once', async () => {
      rig.client.script(ALICE, { partial: 'Hello.END and on' });
      const stream = rig.chat.stream(
        chatRequest({ stream: true, stop: 'END' }),
        credentials(ALICE),
        chatCall(),
        openAiEncoder,
      );
      await stream.started;
      const frames = await framesOf(stream);
      expect(contentOf(frames)).toBe('Hello.');
      expect(frames.at(-2)).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }] });
      expect(frames.at(-1)).toBe('[DONE]');
      await rig.client.started[0].closed;
      expect(rig.client.started[0].stoppedBy).toBe('unsubscribed');
      expect(rig.locks.releaseCounts()).toEqual([1]);
    });

    it('should brake the upstream when the client stops reading, and release the brake when it reads again', async () => {
      rig.client.script(ALICE, { partial: 'Hel' });
      const stream = rig.chat.stream(chatRequest({ stream: true }), credentials(ALICE), chatCall(), openAiEncoder);
      await stream.started;
      stream.pause();
      expect(rig.client.started[0].paused).toBe(true);
      stream.resume();
      expect(rig.client.started[0].paused).toBe(false);
      rig.client.started[0].finish();
    });

    it('should log an unexpected failure once and frame it as 500 internal_error with the request id only', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        rig.client.script(ALICE, { partial: 'Hel' });
        const stream = rig.chat.stream(chatRequest({ stream: true }), credentials(ALICE), chatCall(), openAiEncoder);
        await stream.started;
        const frames = framesOf(stream);
        rig.client.started[0].fail(new TypeError('a bug that mentions tok-chat-alice'));
        expect((await frames).at(-1)).toEqual({
          error: {
            message: 'Internal server error (request id req_spec).',
            type: 'server_error',
            param: null,
            code: 'internal_error',
          },
        });
        expect(logged).toHaveBeenCalledTimes(1);
      } finally {
        logged.mockRestore();
      }
    });
  });
});
