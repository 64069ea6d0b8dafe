import { lastValueFrom, of } from 'rxjs';
import type { ChatCall } from '../chat/chat-call.decorator';
import type { ChatPlan } from '../chat/chat-plan';
import type { ChatService } from '../chat/chat.service';
import type { ChatCompletionRequest } from '../chat/dto/chat-completion-request';
import type { WireEncoderFactory } from '../chat/wire-encoder';
import type { AppConfig } from '../config/app.config';
import { createAccount } from '../tokens/pool/account';
import { parseResponsesRequest } from './dto/parse-responses-request';
import { ResponsesService } from './responses.service';
import { InMemoryResponseStore } from './store/in-memory-response-store';
import type { ResponseObject } from './wire/responses-types';

const attachments = { maxCount: 4, maxFileBytes: 1024, maxTotalBytes: 2048, allowedTypes: ['image/png'] };
const config = { responsesStoreMaxEntries: 10, responsesStoreTtlMs: 60_000 } as AppConfig;
const credentials = { caller: 'key', accounts: [createAccount('tok')], client: 'c' };
const png = Buffer.from('png bytes');
const image = { type: 'input_image', image_url: `data:image/png;base64,${png.toString('base64')}` };

/** A chat service that answers nothing: it records the chat request and runs the encoder to its end. */
function recordingChat(requests: ChatCompletionRequest[]): ChatService {
  return {
    complete: (
      chat: ChatCompletionRequest,
      _c: unknown,
      _call: unknown,
      encoder: WireEncoderFactory<ResponseObject>,
    ) => {
      requests.push(chat);
      const answer = { model: chat.model, sessionId: 's', responseMessageId: 1 };
      return lastValueFrom(of().pipe(encoder({} as ChatPlan).body(answer)));
    },
  } as unknown as ChatService;
}

describe('Responses attachments through the service', () => {
  it('should send the images of this request, and store their markers without their bytes', async () => {
    const requests: ChatCompletionRequest[] = [];
    const store = new InMemoryResponseStore(config);
    const service = new ResponsesService(recordingChat(requests), store, config);
    const limits = { maxMessages: 10, maxPromptChars: 10_000, attachments };
    const call = {} as ChatCall;

    const first = await service.complete(
      parseResponsesRequest(
        { input: [{ role: 'user', content: [{ type: 'input_text', text: 'See' }, image] }] },
        limits,
      ),
      credentials,
      call,
    );

    expect(requests[0].messages[0].attachments).toEqual([
      {
        path: 'input[0].content[1]',
        kind: 'image',
        source: { type: 'bytes', data: png, mediaType: 'image/png' },
        fileName: null,
      },
    ]);
    const stored = await store.get(first.id);
    expect(stored?.history[0]).toEqual({
      type: 'message',
      role: 'user',
      content: [
        { type: 'text', text: 'See' },
        { type: 'text', text: '[attachment 1: image]' },
      ],
    });
    expect(JSON.stringify(stored)).not.toContain('"Buffer"');

    // A later turn does not send the earlier file again: the model sees where it was, not what it was.
    await service.complete(
      parseResponsesRequest({ input: 'And now?', previous_response_id: first.id }, limits),
      credentials,
      call,
    );

    expect(requests[1].messages.at(-1)?.content).toBe('And now?');
    expect(requests[1].messages.every((message) => message.attachments.length === 0)).toBe(true);
    expect(requests[1].messages[0].content).toEqual(stored?.history[0].type === 'message' && stored.history[0].content);
  });
});
