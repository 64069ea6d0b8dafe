import type { ChatEvent } from '../events/chat-event';
import { ChatCompletionAggregator } from './chat-completion-aggregator';
import { OpenAiSseEncoder } from './openai-sse';

const identity = { id: 'sess@2', created: 1764140000, model: 'deepseek-chat' };
const usage = { promptTokens: 3, completionTokens: 4, reasoningTokens: 0, totalTokens: 7 };
const weather: ChatEvent = {
  type: 'toolCall',
  index: 0,
  id: 'call_abcdefghijklmnopqrstuvwx',
  name: 'get_weather',
  kind: 'function',
  argumentsJson: '{"city":"Paris"}',
};
const patch: ChatEvent = {
  type: 'toolCall',
  index: 1,
  id: 'call_ABCDEFGHIJKLMNOPQRSTUVWX',
  name: 'apply_patch',
  kind: 'custom',
  argumentsJson: '{"input":"*** Begin Patch"}',
};
const finish: ChatEvent = { type: 'finish', reason: 'tool_calls', usage };

const choices = (frames: string) =>
  frames
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => (JSON.parse(frame.slice('data: '.length)) as { choices: unknown[] }).choices[0]);

describe('OpenAI tool calls on the wire', () => {
  it('should stream a call as a first fragment with id, type and name, then its arguments', () => {
    const encoder = new OpenAiSseEncoder(identity, false);
    expect(choices(encoder.encode(weather))).toEqual([
      {
        index: 0,
        delta: {
          tool_calls: [
            { index: 0, id: weather.id, type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        },
        logprobs: null,
        finish_reason: null,
      },
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] },
        logprobs: null,
        finish_reason: null,
      },
    ]);
    expect(choices(encoder.encode(finish))).toEqual([
      { index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' },
    ]);
  });

  it('should stream a custom tool call as one fragment with its raw input', () => {
    expect(choices(new OpenAiSseEncoder(identity, false).encode(patch))).toMatchObject([
      {
        delta: {
          tool_calls: [
            { index: 1, id: patch.id, type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch' } },
          ],
        },
      },
    ]);
  });

  it('should answer calls without text with content null and message.tool_calls', () => {
    const aggregator = new ChatCompletionAggregator(identity, { thinking: false, silent: false, fold: false });
    for (const event of [weather, patch, finish]) aggregator.add(event);
    const { message, finish_reason } = aggregator.result().choices[0];
    expect(finish_reason).toBe('tool_calls');
    expect(message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: weather.id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: patch.id, type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch' } },
      ],
    });
  });

  it('should keep the text that came before the calls', () => {
    const aggregator = new ChatCompletionAggregator(identity, { thinking: false, silent: false, fold: false });
    for (const event of [{ type: 'content', text: 'Checking.' } as ChatEvent, weather, finish]) aggregator.add(event);
    expect(aggregator.result().choices[0].message).toMatchObject({
      content: 'Checking.',
      tool_calls: [{ id: weather.id }],
    });
  });
});
