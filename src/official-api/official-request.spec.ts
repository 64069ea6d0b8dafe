import type { ChatCompletionRequest } from '../chat/dto/chat-completion-request';
import { parseChatCompletionRequest } from '../chat/dto/parse-chat-request';
import type { ToolRequest } from '../chat/tools/tool-types';
import type { ApiModelChoice } from './api-models';
import { toOfficialRequest } from './official-request';

const limits = { maxMessages: 100, maxPromptChars: 100_000 };
const request = (body: Record<string, unknown> = {}): ChatCompletionRequest =>
  parseChatCompletionRequest({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }], ...body }, limits);

const chat: ApiModelChoice = { model: 'deepseek-chat', thinking: null, fellBack: false };
const flashOn: ApiModelChoice = { model: 'deepseek-v4-flash', thinking: 'enabled', fellBack: false };
const flashOff: ApiModelChoice = { model: 'deepseek-v4-flash', thinking: 'disabled', fellBack: false };

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('toOfficialRequest', () => {
  it('should send the chosen model, the messages, and always stream with usage', () => {
    expect(toOfficialRequest(request({ stream: false }), chat)).toEqual({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  describe('messages', () => {
    it('should send developer messages as system ones, keeping names', () => {
      const body = toOfficialRequest(
        request({
          messages: [
            { role: 'developer', content: 'Be brief.' },
            { role: 'system', content: [{ type: 'text', text: 'Be kind.' }] },
            { role: 'user', content: 'Hi', name: 'ann' },
          ],
        }),
        chat,
      );
      expect(body.messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hi', name: 'ann' },
      ]);
    });

    it('should send assistant tool calls with null content, their reasoning, and the tool results by call id', () => {
      // The API takes these turns as the client sent them.
      const history = [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'I should look it up.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        { role: 'assistant', content: 'It is sunny.' },
      ];
      const body = toOfficialRequest(request({ messages: history }), chat);
      expect(body.messages).toEqual(history);
    });

    it('should keep the text of an assistant turn that also calls a tool', () => {
      const body = toOfficialRequest(
        request({
          messages: [
            { role: 'user', content: 'Hi' },
            {
              role: 'assistant',
              content: 'Looking.',
              tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
            },
            { role: 'tool', tool_call_id: 'c', content: 'ok' },
          ],
        }),
        chat,
      );
      expect(body.messages[1]).toMatchObject({ role: 'assistant', content: 'Looking.' });
    });

    it('should pair a legacy function_call and its function result by position', () => {
      const body = toOfficialRequest(
        request({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } },
            { role: 'function', name: 'f', content: 'done' },
          ],
        }),
        chat,
      );
      const call = body.messages[1];
      const result = body.messages[2];
      if (call.role !== 'assistant' || result.role !== 'tool') throw new Error('unexpected roles');
      expect(call.tool_calls?.[0].id).toBe(result.tool_call_id);
      expect(result.content).toBe('done');
    });

    it('should mark a tool result that reports a failure', () => {
      const base = request({
        messages: [
          { role: 'user', content: 'Hi' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c', content: 'boom' },
        ],
      });
      const failed: ChatCompletionRequest = {
        ...base,
        messages: base.messages.map((message) => (message.role === 'tool' ? { ...message, isError: true } : message)),
      };
      expect(toOfficialRequest(failed, chat).messages[2]).toEqual({
        role: 'tool',
        tool_call_id: 'c',
        content: 'Error: boom',
      });
    });
  });

  describe('tools', () => {
    it('should offer function tools natively with the tool choice', () => {
      const body = toOfficialRequest(request({ tools: [weather], tool_choice: 'required' }), chat);
      expect(body.tools).toEqual([weather]);
      expect(body.tool_choice).toBe('required');
    });

    it('should default the tool choice to auto', () => {
      expect(toOfficialRequest(request({ tools: [weather] }), chat).tool_choice).toBe('auto');
    });

    it('should send a named tool choice as a function choice', () => {
      const body = toOfficialRequest(
        request({ tools: [weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } }),
        chat,
      );
      expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    });

    it('should give a function tool without parameters an empty object schema and no description', () => {
      const body = toOfficialRequest(request({ tools: [{ type: 'function', function: { name: 'ping' } }] }), chat);
      expect(body.tools).toEqual([
        { type: 'function', function: { name: 'ping', parameters: { type: 'object', properties: {} } } },
      ]);
    });

    it('should offer a custom tool as a function of one string, input', () => {
      const tools: ToolRequest = {
        tools: [{ name: 'apply_patch', description: 'Apply a patch', parameters: null, strict: false, kind: 'custom' }],
        choice: { name: 'apply_patch' },
        parallel: true,
      };
      const body = toOfficialRequest({ ...request(), tools }, chat);
      expect(body.tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'apply_patch',
            description: 'Apply a patch',
            parameters: {
              type: 'object',
              properties: { input: { type: 'string', description: expect.any(String) as unknown } },
              required: ['input'],
            },
          },
        },
      ]);
      expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'apply_patch' } });
    });

    it('should send no tools when none are declared', () => {
      const body = toOfficialRequest(request(), chat);
      expect(body).not.toHaveProperty('tools');
      expect(body).not.toHaveProperty('tool_choice');
    });
  });

  describe('limits and sampling', () => {
    it('should send stop strings', () => {
      expect(toOfficialRequest(request({ stop: ['END', 'STOP'] }), chat).stop).toEqual(['END', 'STOP']);
      expect(toOfficialRequest(request({ stop: 'END' }), chat).stop).toEqual(['END']);
      expect(toOfficialRequest(request(), chat)).not.toHaveProperty('stop');
    });

    it('should send the smaller of max_tokens and max_completion_tokens as max_tokens', () => {
      expect(toOfficialRequest(request({ max_tokens: 64, max_completion_tokens: 128 }), chat).max_tokens).toBe(64);
      expect(toOfficialRequest(request({ max_tokens: 300, max_completion_tokens: 128 }), chat).max_tokens).toBe(128);
      expect(toOfficialRequest(request({ max_completion_tokens: 50 }), chat).max_tokens).toBe(50);
      expect(toOfficialRequest(request({ max_tokens: 70 }), chat).max_tokens).toBe(70);
      expect(toOfficialRequest(request(), chat)).not.toHaveProperty('max_tokens');
    });

    it('should send the sampling fields the client set, and only those', () => {
      expect(
        toOfficialRequest(
          request({ temperature: 0.3, top_p: 0.9, presence_penalty: -1, frequency_penalty: 1.5 }),
          chat,
        ),
      ).toMatchObject({ temperature: 0.3, top_p: 0.9, presence_penalty: -1, frequency_penalty: 1.5 });

      const body = toOfficialRequest(request({ temperature: 0 }), chat);
      expect(body.temperature).toBe(0);
      for (const field of ['top_p', 'presence_penalty', 'frequency_penalty']) expect(body).not.toHaveProperty(field);
      expect(toOfficialRequest(request(), chat)).not.toHaveProperty('temperature');
    });
  });

  describe('response_format', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };

    it("should ask for JSON mode and put the schema's instructions in a last system message", () => {
      const body = toOfficialRequest(
        request({
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Hi' },
          ],
          response_format: { type: 'json_schema', json_schema: { name: 'reply', schema } },
        }),
        chat,
      );
      expect(body.response_format).toEqual({ type: 'json_object' });
      expect(body.messages).toHaveLength(3);
      expect(body.messages.slice(0, 2)).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ]);
      const last = body.messages[2];
      expect(last.role).toBe('system');
      expect(last.content).toMatch(/JSON/);
      expect(last.content).toContain('reply');
      expect(last.content).toContain(JSON.stringify(schema));
    });

    it('should ask for JSON mode with a JSON instruction for json_object', () => {
      const body = toOfficialRequest(request({ response_format: { type: 'json_object' } }), chat);
      expect(body.response_format).toEqual({ type: 'json_object' });
      expect(body.messages.at(-1)).toMatchObject({ role: 'system', content: expect.stringMatching(/JSON/) as unknown });
    });

    it('should leave text answers alone', () => {
      const body = toOfficialRequest(request({ response_format: { type: 'text' } }), chat);
      expect(body).not.toHaveProperty('response_format');
      expect(body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
    });
  });

  describe('thinking', () => {
    it('should send the thinking switch and the reasoning effort of a thinking choice', () => {
      const body = toOfficialRequest(request({ reasoning_effort: 'high' }), flashOn);
      expect(body.model).toBe('deepseek-v4-flash');
      expect(body.thinking).toEqual({ type: 'enabled' });
      expect(body.reasoning_effort).toBe('high');
    });

    it('should send the switch off without a reasoning effort', () => {
      const body = toOfficialRequest(request({ reasoning_effort: 'high' }), flashOff);
      expect(body.thinking).toEqual({ type: 'disabled' });
      expect(body).not.toHaveProperty('reasoning_effort');
    });

    it('should not send a reasoning effort of none', () => {
      expect(toOfficialRequest(request({ reasoning_effort: 'none' }), flashOn)).not.toHaveProperty('reasoning_effort');
    });

    it('should send neither for the ids whose name decides thinking', () => {
      const body = toOfficialRequest(request({ reasoning_effort: 'high', thinking: { type: 'enabled' } }), {
        model: 'deepseek-reasoner',
        thinking: null,
        fellBack: false,
      });
      expect(body).not.toHaveProperty('thinking');
      expect(body).not.toHaveProperty('reasoning_effort');
    });
  });
});
