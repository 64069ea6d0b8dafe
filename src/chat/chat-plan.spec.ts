import { ApiError } from '../common/errors/api-error';
import { toOpenAiErrorBody } from '../common/errors/openai-error-body';
import { buildChatPlan } from './chat-plan';
import { parseChatCompletionRequest } from './dto/parse-chat-request';
import type { ChatEventOptions } from './events/to-chat-events';
import type { AggregateOptions } from './openai/chat-completion-aggregator';
import { estimateTokens } from './usage';

const limits = { maxMessages: 10, maxPromptChars: 50, dropUnsupportedParts: true };
const plan = (body: Record<string, unknown>) =>
  buildChatPlan(parseChatCompletionRequest({ model: 'deepseek-chat', ...body }, limits), limits);
const session = '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e';

function rejection(body: Record<string, unknown>): ApiError {
  try {
    plan(body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('buildChatPlan', () => {
  it('should gather everything the service needs', () => {
    expect(
      plan({
        model: 'deepseek-v4-pro-search',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Hi' },
              { type: 'image_url', image_url: { url: 'x' } },
            ],
          },
        ],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 64,
        max_completion_tokens: 128,
        stop: ['END', ''],
      }),
    ).toEqual({
      model: 'deepseek-v4-pro-search',
      thinking: false,
      search: true,
      silent: false,
      fold: false,
      modelType: 'expert',
      stream: true,
      includeUsage: true,
      prompt: 'Hi',
      promptTokens: estimateTokens('Hi'),
      continuation: null,
      stop: ['END'],
      tokenLimits: { answer: 64, completion: 128 },
      droppedPartTypes: ['image_url'],
      tools: null,
      responseFormat: null,
      toolPromptDigest: null,
      promptForKnownTools: null,
      thread: null,
      attachments: [],
    });
  });

  it('should serve as the options of the event pipeline and the aggregator', () => {
    const result = plan({ model: 'deepseek-r1-fold', messages: [{ role: 'user', content: 'Hi' }] });
    const events: ChatEventOptions = result;
    const aggregate: AggregateOptions = result;
    expect([events.thinking, events.fold, events.silent, aggregate.fold]).toEqual([true, true, false, true]);
  });

  it('should turn search on for web_search_options, as a -search model does', () => {
    const messages = [{ role: 'user', content: 'Hi' }];
    expect(plan({ messages, web_search_options: {} }).search).toBe(true);
    expect(plan({ messages, web_search_options: null }).search).toBe(false);
  });

  it('should let request fields override the model name for thinking', () => {
    const messages = [{ role: 'user', content: 'Hi' }];
    expect(plan({ messages, reasoning_effort: 'medium' }).thinking).toBe(true);
    expect(plan({ model: 'deepseek-reasoner', messages, thinking: { type: 'disabled' } }).thinking).toBe(false);
  });

  it('should continue natively and send only the new turn', () => {
    const result = plan({
      conversation_id: `${session}@2`,
      messages: [
        { role: 'user', content: 'U1' },
        { role: 'assistant', content: 'A1' },
        { role: 'user', content: 'U2' },
      ],
    });
    expect(result.continuation).toEqual({ sessionId: session, messageId: 2 });
    expect(result.prompt).toBe('U2');
  });

  it('should reject a continuation without a new turn', () => {
    const error = rejection({
      conversation_id: `${session}@2`,
      messages: [
        { role: 'user', content: 'U1' },
        { role: 'assistant', content: 'A1' },
      ],
    });
    expect([error.getStatus(), error.param, error.code]).toEqual([400, 'messages', 'invalid_value']);
  });

  it('should reject a request with no text at all', () => {
    const error = rejection({ messages: [{ role: 'user', content: null }] });
    expect([error.getStatus(), error.param, error.message]).toEqual([
      400,
      'messages',
      'The messages hold no text to send.',
    ]);
  });

  it('should reject a prompt over the character limit as context_length_exceeded', () => {
    expect(plan({ messages: [{ role: 'user', content: 'x'.repeat(50) }] }).prompt).toHaveLength(50);
    const error = rejection({ messages: [{ role: 'user', content: 'x'.repeat(51) }] });
    expect(toOpenAiErrorBody(error)).toEqual({
      error: {
        message:
          "This model's maximum context length is 50 characters. However, your messages resulted in 51 characters. Please reduce the length of the messages.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      },
    });
  });

  it('should count the flattened prompt, markers included, against the limit', () => {
    const error = rejection({
      messages: [
        { role: 'user', content: 'x'.repeat(20) },
        { role: 'assistant', content: 'y'.repeat(20) },
      ],
    });
    expect(error.code).toBe('context_length_exceeded');
  });
});
