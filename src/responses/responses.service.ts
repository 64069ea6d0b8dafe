import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ChatCall } from '../chat/chat-call.decorator';
import { ChatService } from '../chat/chat.service';
import type { ChatCompletionRequest } from '../chat/dto/chat-completion-request';
import type { WireEncoderFactory } from '../chat/wire-encoder';
import { ApiError } from '../common/errors/api-error';
import { quote } from '../common/http/json-checks';
import type { SseStream } from '../common/sse/sse-response.service';
import { appConfig, type AppConfig } from '../config/app.config';
import type { RequestCredentials } from '../tokens/auth/request-credentials.decorator';
import { asInputItem, toChatMessages, withoutAttachments } from './conversation';
import type { ResponsesRequest } from './dto/responses-request';
import type { ResolvedItem } from './input-items';
import { mayRead, ownerOf } from './response-owner';
import { ResponseStore, type StoredResponse } from './store/response-store';
import { newResponseId } from './wire/response-ids';
import { responsesEncoder } from './wire/responses-encoder';
import type { ResponseObject } from './wire/responses-types';

/** A request with its stored state resolved: what the chat pipeline runs, and how its answer is encoded. */
interface PreparedResponse {
  chat: ChatCompletionRequest;
  encoder: WireEncoderFactory<ResponseObject>;
}

/**
 * The Responses API over the one chat pipeline: resolves `previous_response_id` and `item_reference`
 * from the store, maps the items to chat messages, and stores the finished response when asked to.
 */
@Injectable()
export class ResponsesService {
  private readonly logger = new Logger(ResponsesService.name);

  constructor(
    private readonly chat: ChatService,
    private readonly store: ResponseStore,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  async complete(request: ResponsesRequest, credentials: RequestCredentials, call: ChatCall): Promise<ResponseObject> {
    const { chat, encoder } = await this.prepare(request, credentials);
    return this.chat.complete(chat, credentials, call, encoder);
  }

  /** Resolves the stored state before the stream is committed, so that an unknown id is still a 400. */
  async stream(request: ResponsesRequest, credentials: RequestCredentials, call: ChatCall): Promise<SseStream> {
    const { chat, encoder } = await this.prepare(request, credentials);
    return this.chat.stream(chat, credentials, call, encoder);
  }

  /** The stored response, for its owner only: anyone else is told it does not exist. */
  async get(id: string, credentials: RequestCredentials): Promise<ResponseObject> {
    return (await this.owned(id, credentials)).response;
  }

  async delete(
    id: string,
    credentials: RequestCredentials,
  ): Promise<{ id: string; object: 'response.deleted'; deleted: true }> {
    await this.owned(id, credentials);
    await this.store.delete(id);
    return { id, object: 'response.deleted', deleted: true };
  }

  private async owned(id: string, credentials: RequestCredentials): Promise<StoredResponse> {
    const record = await this.store.get(id);
    if (record && mayRead(record.owner, credentials)) return record;
    throw ApiError.notFound(`No response found with id ${quote(id)}.`, 'not_found', 'response_id');
  }

  private async prepare(request: ResponsesRequest, credentials: RequestCredentials): Promise<PreparedResponse> {
    if (request.skippedItems > 0) this.logger.log(`skipped ${request.skippedItems} hosted-tool input item(s)`);
    const earlier = await this.previous(request.previousResponseId, credentials);
    const history = [...(earlier?.history ?? []), ...(await this.resolve(request, credentials))];
    const chat: ChatCompletionRequest = {
      model: request.model,
      messages: toChatMessages(request.instructions, history),
      stream: request.stream,
      includeUsage: true,
      maxTokens: null,
      maxCompletionTokens: request.maxOutputTokens,
      stop: [],
      webSearch: false,
      reasoningEffort: null,
      thinking: request.thinking,
      conversation: null,
      droppedPartTypes: request.droppedPartTypes,
      tools: request.tools,
      responseFormat: request.responseFormat,
      sampling: {
        temperature: request.echo.temperature,
        topP: request.echo.top_p,
        presencePenalty: null,
        frequencyPenalty: null,
      },
    };
    const identity = { id: newResponseId(), createdAt: Math.floor(Date.now() / 1000) };
    const owner = ownerOf(credentials);
    const onFinished = async (response: ResponseObject): Promise<void> => {
      if (!request.store || this.config.responsesStoreMaxEntries === 0) return;
      const output = response.output.map(asInputItem).filter((item): item is ResolvedItem => item !== null);
      await this.store.save({ owner, response, history: [...history.map(withoutAttachments), ...output] });
    };
    return { chat, encoder: () => responsesEncoder({ identity, echo: request.echo, onFinished }) };
  }

  private async previous(id: string | null, credentials: RequestCredentials): Promise<StoredResponse | undefined> {
    if (id === null) return undefined;
    const record = await this.store.get(id);
    if (record && mayRead(record.owner, credentials)) return record;
    throw new ApiError(400, `Previous response with id ${quote(id)} not found.`, {
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
  }

  private async resolve(request: ResponsesRequest, credentials: RequestCredentials): Promise<ResolvedItem[]> {
    const items: ResolvedItem[] = [];
    for (const item of request.input) {
      if (item.type !== 'reference') {
        items.push(item);
        continue;
      }
      const found = await this.store.findItem(item.id);
      if (!found || !mayRead(found.record.owner, credentials)) {
        throw ApiError.badRequest(`Item with id ${quote(item.id)} not found.`, `${item.param}.id`, 'item_not_found');
      }
      const resolved = asInputItem(found.item);
      if (resolved) items.push(resolved);
    }
    return items;
  }
}
