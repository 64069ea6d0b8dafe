import { from, lastValueFrom, Observable, toArray } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import type { ChatEvent } from '../events/chat-event';
import { type AnswerHooks, type ChatEventOptions, toChatEvents } from '../events/to-chat-events';
import type { ToolRequest } from '../tools/tool-types';
import type { ResponseFormat } from './response-format';

const JSON_OBJECT: ResponseFormat = { type: 'json_object' };
const tools: ToolRequest = {
  tools: [{ name: 'lookup', description: null, parameters: null, strict: false, kind: 'function' }],
  choice: 'auto',
  parallel: true,
};

const reply = (content: string): Observable<DeepSeekEvent> =>
  from<DeepSeekEvent[]>([
    ...[...content].map((text): DeepSeekEvent => ({ type: 'content', text })),
    { type: 'status', status: 'FINISHED' },
  ]);

function run(events: Observable<DeepSeekEvent>, options: Partial<ChatEventOptions>, hooks: AnswerHooks = {}) {
  const base = { thinking: false, silent: false, fold: false, promptTokens: 1, responseFormat: JSON_OBJECT };
  return lastValueFrom(events.pipe(toChatEvents({ ...base, ...options }, hooks), toArray()));
}
const text = (events: ChatEvent[]) => events.map((event) => (event.type === 'content' ? event.text : '')).join('');

describe('the structured-output stage', () => {
  it('should hold a non-stream answer until it passed, then give it without its fence', async () => {
    const events = await run(reply('```json\n{"a": 1}\n```'), { stream: false });
    expect(text(events)).toBe('{"a": 1}');
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('should send a corrective turn for a failed non-stream answer and keep only the corrected text', async () => {
    const prompts: string[] = [];
    const followUp = (prompt: string) => {
      prompts.push(prompt);
      return reply('{"a": 2}');
    };
    const events = await run(reply('no JSON here'), { stream: false }, { followUp });
    expect(prompts).toEqual([expect.stringMatching(/^Your reply was not accepted because it is not valid JSON/)]);
    expect(text(events)).toBe('{"a": 2}');
    const finish = events.at(-1);
    expect(finish?.type === 'finish' && finish.usage.completionTokens).toBeGreaterThan(3);
  });

  it('should never correct a stream: it already sent the text, so it ends with the error', async () => {
    const followUp = jest.fn(() => reply('{}'));
    await expect(run(reply('[1, 2]'), { stream: true }, { followUp })).rejects.toMatchObject({
      code: 'invalid_structured_output',
    });
    expect(followUp).not.toHaveBeenCalled();
  });

  it('should not check an answer that is a tool call', async () => {
    const block = '<|DSML|tool_calls>\n<|DSML|invoke name="lookup">\n</|DSML|invoke>\n</|DSML|tool_calls>';
    const events = await run(reply(block), { stream: false, tools });
    expect(events.some((event) => event.type === 'toolCall')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool_calls' });
  });

  it('should let the tool stage own the correction when both are active, and only check the JSON', async () => {
    const followUp = jest.fn(() => reply('{}'));
    await expect(run(reply('plain words'), { stream: false, tools }, { followUp })).rejects.toMatchObject({
      code: 'invalid_structured_output',
    });
    expect(followUp).not.toHaveBeenCalled();
  });
});
