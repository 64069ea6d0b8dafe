import { ApiError } from '../../common/errors/api-error';
import { toOpenAiErrorBody } from '../../common/errors/openai-error-body';
import { parseChatCompletionRequest } from './parse-chat-request';

const limits = { maxMessages: 5, maxPromptChars: 1000 };
const parse = (body: unknown) => parseChatCompletionRequest(body, limits);
const user = { role: 'user', content: 'Hi' };
const withBody = (extra: Record<string, unknown>) => ({ model: 'deepseek-chat', messages: [user], ...extra });

/** The 400 a body fails with: `[param, code, message]`. */
function failure(body: unknown): [string | null, string | null, string] {
  try {
    parse(body);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    expect(error.getStatus()).toBe(400);
    expect(toOpenAiErrorBody(error).error.type).toBe('invalid_request_error');
    return [error.param, error.code, error.message];
  }
  throw new Error('expected the body to be rejected');
}

describe('parseChatCompletionRequest rejections', () => {
  it.each<[string, unknown, string | null, string | null, string]>([
    ['an array body', [user], null, 'invalid_type', 'The request body must be a JSON object.'],
    ['a number body', 42, null, 'invalid_type', 'The request body must be a JSON object.'],
    ['a null body', null, null, 'invalid_type', 'The request body must be a JSON object.'],
    [
      'a missing model',
      { messages: [user] },
      'model',
      'missing_required_parameter',
      "Missing required parameter: 'model'.",
    ],
    [
      'a numeric model',
      { model: 7, messages: [user] },
      'model',
      'invalid_type',
      "Invalid type for 'model': expected a string, but got an integer instead.",
    ],
    [
      'an empty model',
      { model: '', messages: [user] },
      'model',
      'invalid_value',
      "Invalid 'model': empty string. Expected a model name.",
    ],
    [
      'missing messages',
      { model: 'm' },
      'messages',
      'missing_required_parameter',
      "Missing required parameter: 'messages'.",
    ],
    [
      'null messages',
      { model: 'm', messages: null },
      'messages',
      'missing_required_parameter',
      "Missing required parameter: 'messages'.",
    ],
    [
      'messages as an object',
      { model: 'm', messages: { 0: user } },
      'messages',
      'invalid_type',
      "Invalid type for 'messages': expected an array, but got an object instead.",
    ],
    [
      'empty messages',
      { model: 'm', messages: [] },
      'messages',
      'empty_array',
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
    ],
    [
      'too many messages',
      { model: 'm', messages: Array(6).fill(user) },
      'messages',
      'array_above_max_length',
      "Invalid 'messages': array too long. Expected an array with maximum length 5, but got an array with length 6 instead.",
    ],
    [
      'a message that is a string',
      { model: 'm', messages: [user, 'hello'] },
      'messages[1]',
      'invalid_type',
      "Invalid type for 'messages[1]': expected an object, but got a string instead.",
    ],
    [
      'a message without role',
      { model: 'm', messages: [{ content: 'x' }] },
      'messages[0].role',
      'missing_required_parameter',
      "Missing required parameter: 'messages[0].role'.",
    ],
    [
      'a numeric role',
      { model: 'm', messages: [{ role: 1, content: 'x' }] },
      'messages[0].role',
      'invalid_type',
      "Invalid type for 'messages[0].role': expected a string, but got an integer instead.",
    ],
    [
      'an unknown role',
      { model: 'm', messages: [user, { role: 'robot', content: 'x' }] },
      'messages[1].role',
      'invalid_value',
      "Invalid value: 'robot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.",
    ],
    [
      'numeric content',
      { model: 'm', messages: [{ role: 'user', content: 5 }] },
      'messages[0].content',
      'invalid_type',
      "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer instead.",
    ],
    [
      'object content',
      { model: 'm', messages: [{ role: 'user', content: { text: 'x' } }] },
      'messages[0].content',
      'invalid_type',
      "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an object instead.",
    ],
    [
      'a part that is a string',
      { model: 'm', messages: [{ role: 'user', content: ['x'] }] },
      'messages[0].content[0]',
      'invalid_type',
      "Invalid type for 'messages[0].content[0]': expected an object, but got a string instead.",
    ],
    [
      'a part without type',
      { model: 'm', messages: [{ role: 'user', content: [{ text: 'x' }] }] },
      'messages[0].content[0].type',
      'missing_required_parameter',
      "Missing required parameter: 'messages[0].content[0].type'.",
    ],
    [
      'a text part without text',
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text' }] }] },
      'messages[0].content[1].text',
      'missing_required_parameter',
      "Missing required parameter: 'messages[0].content[1].text'.",
    ],
    [
      'a text part with numeric text',
      { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 1.5 }] }] },
      'messages[0].content[0].text',
      'invalid_type',
      "Invalid type for 'messages[0].content[0].text': expected a string, but got a decimal instead.",
    ],
    [
      'tool_calls as an object',
      { model: 'm', messages: [user, { role: 'assistant', tool_calls: {} }] },
      'messages[1].tool_calls',
      'invalid_type',
      "Invalid type for 'messages[1].tool_calls': expected an array, but got an object instead.",
    ],
    [
      'a tool call without function',
      { model: 'm', messages: [user, { role: 'assistant', tool_calls: [{ id: 'c' }] }] },
      'messages[1].tool_calls[0].function',
      'missing_required_parameter',
      "Missing required parameter: 'messages[1].tool_calls[0].function'.",
    ],
    [
      'a custom tool call without custom',
      { model: 'm', messages: [user, { role: 'assistant', tool_calls: [{ id: 'c', type: 'custom' }] }] },
      'messages[1].tool_calls[0].custom',
      'missing_required_parameter',
      "Missing required parameter: 'messages[1].tool_calls[0].custom'.",
    ],
    [
      'a custom tool call with a numeric input',
      {
        model: 'm',
        messages: [user, { role: 'assistant', tool_calls: [{ type: 'custom', custom: { name: 'f', input: 1 } }] }],
      },
      'messages[1].tool_calls[0].custom.input',
      'invalid_type',
      "Invalid type for 'messages[1].tool_calls[0].custom.input': expected a string, but got an integer instead.",
    ],
    [
      'object tool arguments',
      {
        model: 'm',
        messages: [user, { role: 'assistant', tool_calls: [{ id: 'c', function: { name: 'f', arguments: {} } }] }],
      },
      'messages[1].tool_calls[0].function.arguments',
      'invalid_type',
      "Invalid type for 'messages[1].tool_calls[0].function.arguments': expected a string, but got an object instead.",
    ],
    [
      'a numeric tool_call_id',
      { model: 'm', messages: [{ role: 'tool', tool_call_id: 3, content: 'x' }] },
      'messages[0].tool_call_id',
      'invalid_type',
      "Invalid type for 'messages[0].tool_call_id': expected a string, but got an integer instead.",
    ],
    [
      'a numeric name',
      { model: 'm', messages: [{ role: 'user', content: 'x', name: 1 }] },
      'messages[0].name',
      'invalid_type',
      "Invalid type for 'messages[0].name': expected a string, but got an integer instead.",
    ],
    [
      'an array reasoning_content',
      { model: 'm', messages: [{ role: 'assistant', content: 'x', reasoning_content: [] }] },
      'messages[0].reasoning_content',
      'invalid_type',
      "Invalid type for 'messages[0].reasoning_content': expected a string, but got an array instead.",
    ],
    [
      'a string stream',
      withBody({ stream: 'true' }),
      'stream',
      'invalid_type',
      "Invalid type for 'stream': expected a boolean, but got a string instead.",
    ],
    [
      'a numeric stream',
      withBody({ stream: 1 }),
      'stream',
      'invalid_type',
      "Invalid type for 'stream': expected a boolean, but got an integer instead.",
    ],
    [
      'n > 1',
      withBody({ n: 2 }),
      'n',
      'unsupported_parameter',
      "Unsupported value for 'n': only n=1 is supported (one choice per request), got 2.",
    ],
    [
      'n = 0',
      withBody({ n: 0 }),
      'n',
      'integer_below_min_value',
      "Invalid 'n': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    ],
    [
      'a decimal n',
      withBody({ n: 1.5 }),
      'n',
      'invalid_type',
      "Invalid type for 'n': expected an integer, but got a decimal instead.",
    ],
    [
      'stream_options as a string',
      withBody({ stream_options: 'usage' }),
      'stream_options',
      'invalid_type',
      "Invalid type for 'stream_options': expected an object, but got a string instead.",
    ],
    [
      'a string include_usage',
      withBody({ stream_options: { include_usage: 'yes' } }),
      'stream_options.include_usage',
      'invalid_type',
      "Invalid type for 'stream_options.include_usage': expected a boolean, but got a string instead.",
    ],
    [
      'a string max_tokens',
      withBody({ max_tokens: '100' }),
      'max_tokens',
      'invalid_type',
      "Invalid type for 'max_tokens': expected an integer, but got a string instead.",
    ],
    [
      'a zero max_completion_tokens',
      withBody({ max_completion_tokens: 0 }),
      'max_completion_tokens',
      'integer_below_min_value',
      "Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    ],
    [
      'a numeric reasoning_effort',
      withBody({ reasoning_effort: 3 }),
      'reasoning_effort',
      'invalid_type',
      "Invalid type for 'reasoning_effort': expected a string, but got an integer instead.",
    ],
    [
      'a string thinking',
      withBody({ thinking: 'on' }),
      'thinking',
      'invalid_type',
      "Invalid type for 'thinking': expected an object, but got a string instead.",
    ],
    [
      'a numeric thinking.type',
      withBody({ thinking: { type: 1 } }),
      'thinking.type',
      'invalid_type',
      "Invalid type for 'thinking.type': expected a string, but got an integer instead.",
    ],
    [
      'a numeric conversation_id',
      withBody({ conversation_id: 12 }),
      'conversation_id',
      'invalid_type',
      "Invalid type for 'conversation_id': expected a string, but got an integer instead.",
    ],
    [
      'a 257-character model',
      { model: 'm'.repeat(257), messages: [user] },
      'model',
      'string_above_max_length',
      "Invalid 'model': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      'a 16 MB model',
      { model: 'm'.repeat(16 * 1024 * 1024), messages: [user] },
      'model',
      'string_above_max_length',
      "Invalid 'model': string too long. Expected a string with maximum length 256, but got a string with length 16777216 instead.",
    ],
    [
      'a numeric user',
      withBody({ user: 42 }),
      'user',
      'invalid_type',
      "Invalid type for 'user': expected a string, but got an integer instead.",
    ],
    [
      'a 257-character user',
      withBody({ user: 'u'.repeat(257) }),
      'user',
      'string_above_max_length',
      "Invalid 'user': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      'a 65-character conversation_id',
      withBody({ conversation_id: `0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@${'9'.repeat(28)}` }),
      'conversation_id',
      'string_above_max_length',
      "Invalid 'conversation_id': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
    ],
    [
      'a 65-character reasoning_effort',
      withBody({ reasoning_effort: 'h'.repeat(65) }),
      'reasoning_effort',
      'string_above_max_length',
      "Invalid 'reasoning_effort': string too long. Expected a string with maximum length 64, but got a string with length 65 instead.",
    ],
    [
      'a 257-character message name',
      { model: 'm', messages: [{ role: 'user', content: 'x', name: 'n'.repeat(257) }] },
      'messages[0].name',
      'string_above_max_length',
      "Invalid 'messages[0].name': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      'a 257-character tool call id',
      {
        model: 'm',
        messages: [user, { role: 'assistant', tool_calls: [{ id: 'c'.repeat(257), function: { name: 'f' } }] }],
      },
      'messages[1].tool_calls[0].id',
      'string_above_max_length',
      "Invalid 'messages[1].tool_calls[0].id': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      'a 257-character tool name',
      {
        model: 'm',
        messages: [user, { role: 'assistant', tool_calls: [{ id: 'c', function: { name: 'f'.repeat(257) } }] }],
      },
      'messages[1].tool_calls[0].function.name',
      'string_above_max_length',
      "Invalid 'messages[1].tool_calls[0].function.name': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      'a 257-character legacy function_call name',
      { model: 'm', messages: [user, { role: 'assistant', function_call: { name: 'f'.repeat(257) } }] },
      'messages[1].function_call.name',
      'string_above_max_length',
      "Invalid 'messages[1].function_call.name': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      'a 257-character tool_call_id',
      { model: 'm', messages: [{ role: 'tool', tool_call_id: 't'.repeat(257), content: 'x' }] },
      'messages[0].tool_call_id',
      'string_above_max_length',
      "Invalid 'messages[0].tool_call_id': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      'a 257-character stop string',
      withBody({ stop: 's'.repeat(257) }),
      'stop',
      'string_above_max_length',
      "Invalid 'stop': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      'a 257-character stop sequence',
      withBody({ stop: ['end', 's'.repeat(257)] }),
      'stop[1]',
      'string_above_max_length',
      "Invalid 'stop[1]': string too long. Expected a string with maximum length 256, but got a string with length 257 instead.",
    ],
    [
      '5 stop sequences (OpenAI takes 4)',
      withBody({ stop: Array(5).fill('end') }),
      'stop',
      'array_above_max_length',
      "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead.",
    ],
    [
      'a numeric stop sequence',
      withBody({ stop: ['end', 3] }),
      'stop[1]',
      'invalid_type',
      "Invalid type for 'stop[1]': expected a string, but got an integer instead.",
    ],
    [
      'an object stop',
      withBody({ stop: { end: true } }),
      'stop',
      'invalid_type',
      "Invalid type for 'stop': expected a string or an array of strings, but got an object instead.",
    ],
    [
      'temperature 9',
      withBody({ temperature: 9 }),
      'temperature',
      'decimal_above_max_value',
      "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 9 instead.",
    ],
    [
      'a negative temperature',
      withBody({ temperature: -0.1 }),
      'temperature',
      'decimal_below_min_value',
      "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -0.1 instead.",
    ],
    [
      'a string temperature',
      withBody({ temperature: 'hot' }),
      'temperature',
      'invalid_type',
      "Invalid type for 'temperature': expected a number, but got a string instead.",
    ],
    [
      'top_p above 1',
      withBody({ top_p: 1.5 }),
      'top_p',
      'decimal_above_max_value',
      "Invalid 'top_p': decimal above maximum value. Expected a value <= 1, but got 1.5 instead.",
    ],
    [
      'presence_penalty below -2',
      withBody({ presence_penalty: -3 }),
      'presence_penalty',
      'decimal_below_min_value',
      "Invalid 'presence_penalty': decimal below minimum value. Expected a value >= -2, but got -3 instead.",
    ],
    [
      'frequency_penalty above 2',
      withBody({ frequency_penalty: 2.5 }),
      'frequency_penalty',
      'decimal_above_max_value',
      "Invalid 'frequency_penalty': decimal above maximum value. Expected a value <= 2, but got 2.5 instead.",
    ],
    [
      'a decimal seed',
      withBody({ seed: 1.5 }),
      'seed',
      'invalid_type',
      "Invalid type for 'seed': expected an integer, but got a decimal instead.",
    ],
    [
      'a logit_bias above 100',
      withBody({ logit_bias: { '50256': 101 } }),
      'logit_bias',
      'integer_above_max_value',
      "Invalid 'logit_bias': integer above maximum value. Expected a value <= 100, but got 101 instead.",
    ],
    [
      'top_logprobs above 20',
      withBody({ top_logprobs: 21 }),
      'top_logprobs',
      'integer_above_max_value',
      "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got 21 instead.",
    ],
    [
      'logprobs: true',
      withBody({ logprobs: true }),
      'logprobs',
      'unsupported_parameter',
      "Unsupported parameter: 'logprobs'. The DeepSeek web chat gives no log probabilities.",
    ],
    [
      'audio output in modalities',
      withBody({ modalities: ['text', 'audio'] }),
      'modalities',
      'unsupported_parameter',
      "Unsupported value for 'modalities': 'audio'. Only text output is supported.",
    ],
    [
      'an unknown modality',
      withBody({ modalities: ['video'] }),
      'modalities[0]',
      'invalid_value',
      "Invalid 'modalities[0]': expected 'text' or 'audio'.",
    ],
    [
      'audio output options',
      withBody({ audio: { voice: 'alloy', format: 'mp3' } }),
      'audio',
      'unsupported_parameter',
      "Unsupported parameter: 'audio'. Only text output is supported.",
    ],
    [
      'an image part',
      withBody({
        messages: [
          user,
          { role: 'assistant', content: 'Yes?' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Look:' },
              { type: 'image_url', image_url: { url: 'x' } },
            ],
          },
        ],
      }),
      'messages[2].content[1]',
      'unsupported_content',
      "Unsupported content part at 'messages[2].content[1]': type 'image_url'. Only text parts reach the DeepSeek web chat; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
    [
      'an audio part',
      withBody({
        messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }],
      }),
      'messages[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'messages[0].content[0]': type 'input_audio'. Only text parts reach the DeepSeek web chat; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
    [
      'a file part',
      withBody({ messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'f' } }] }] }),
      'messages[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'messages[0].content[0]': type 'file'. Only text parts reach the DeepSeek web chat; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
    [
      'a store that is not a boolean',
      withBody({ store: 'yes' }),
      'store',
      'invalid_type',
      "Invalid type for 'store': expected a boolean, but got a string instead.",
    ],
    [
      'metadata as an array',
      withBody({ metadata: ['a'] }),
      'metadata',
      'invalid_type',
      "Invalid type for 'metadata': expected an object, but got an array instead.",
    ],
  ])('should reject %s', (_name, body, param, code, message) => {
    expect(failure(body)).toEqual([param, code, message]);
  });

  it.each([
    '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e',
    '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@',
    '0A3C904D-5761-4CF0-AE51-9B41C1C78F1E@2',
    'x0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@2',
    '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@2 ',
    '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@2\n',
    '0a3c904d-5761-4cf0-ae51-9b41c1c78f1e@99999999999999999999',
    '',
  ])('should reject the malformed conversation_id %j', (conversationId) => {
    expect(failure(withBody({ conversation_id: conversationId }))).toEqual([
      'conversation_id',
      'invalid_value',
      "Invalid 'conversation_id': expected '<chat_session_id>@<message_id>', the id of an earlier response.",
    ]);
  });

  it('should quote a long unknown role only in part', () => {
    const [, , message] = failure({ model: 'm', messages: [{ role: 'r'.repeat(10_000), content: '' }] });
    expect(message.length).toBeLessThan(200);
  });

  it('should accept every bounded string at its maximum', () => {
    const at = (n: number, c = 'a') => c.repeat(n);
    expect(() =>
      parse({
        model: at(256),
        user: at(256),
        reasoning_effort: at(64),
        stop: Array(4).fill(at(256)),
        messages: [
          { role: 'user', content: 'x', name: at(256) },
          { role: 'assistant', tool_calls: [{ id: at(256), function: { name: at(256), arguments: '{}' } }] },
          { role: 'tool', tool_call_id: at(256), content: 'y' },
        ],
      }),
    ).not.toThrow();
  });
});
