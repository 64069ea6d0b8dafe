import { Observable, lastValueFrom, toArray } from 'rxjs';
import type { DeepSeekEvent } from '../../deepseek/stream/deepseek-event';
import type { ChatEvent } from '../events/chat-event';
import { toChatEvents } from '../events/to-chat-events';
import type { ToolRequest } from './tool-types';

const tools: ToolRequest = {
  tools: [
    {
      name: 'get_weather',
      description: null,
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
      strict: false,
      kind: 'function',
    },
  ],
  choice: 'auto',
  parallel: true,
};
const BLOCK =
  '<|DSML|tool_calls>\n<|DSML|invoke name="get_weather">\n' +
  '<|DSML|parameter name="city" string="true">Paris</|DSML|parameter>\n</|DSML|invoke>\n</|DSML|tool_calls>';

/** An upstream that streams `content` in `size`-character events and records whether it was left early. */
function upstream(content: string, size = 7, reasoning = '') {
  const seen = { unsubscribedEarly: false, delivered: 0 };
  const events = new Observable<DeepSeekEvent>((subscriber) => {
    let done = false;
    if (reasoning) subscriber.next({ type: 'reasoning', text: reasoning });
    for (let i = 0; i < content.length && !subscriber.closed; i += size) {
      seen.delivered += 1;
      subscriber.next({ type: 'content', text: content.slice(i, i + size) });
    }
    if (!subscriber.closed) {
      subscriber.next({ type: 'status', status: 'FINISHED' });
      done = true;
      subscriber.complete();
    }
    return () => {
      if (!done) seen.unsubscribedEarly = true;
    };
  });
  return { events, seen };
}

const run = (events: Observable<DeepSeekEvent>, request: ToolRequest | null = tools) =>
  lastValueFrom(
    events.pipe(
      toChatEvents({ thinking: true, silent: false, fold: false, promptTokens: 1, tools: request }),
      toArray(),
    ),
  );
const content = (events: ChatEvent[]) => events.map((event) => (event.type === 'content' ? event.text : '')).join('');

describe('the tool stage in the event pipeline', () => {
  it('should turn a block into one call after the text and finish with tool_calls', async () => {
    const events = await run(upstream(`Let me check.\n\n${BLOCK}`).events);
    expect(content(events)).toBe('Let me check.\n\n');
    const call = events.find((event) => event.type === 'toolCall');
    expect(call).toMatchObject({ index: 0, name: 'get_weather', kind: 'function', argumentsJson: '{"city":"Paris"}' });
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool_calls' });
  });

  it('should drop prose after the block and leave the upstream at once', async () => {
    const prose = ' Here are the results: it is sunny. '.repeat(20);
    const { events, seen } = upstream(`${BLOCK}\n${prose}`);
    const result = await run(events);
    expect(content(result)).toBe('');
    expect(result.filter((event) => event.type === 'toolCall')).toHaveLength(1);
    expect(result.at(-1)).toMatchObject({ type: 'finish', reason: 'tool_calls' });
    expect(seen.unsubscribedEarly).toBe(true);
    expect(seen.delivered).toBeLessThan(Math.ceil((BLOCK.length + 1 + prose.length) / 7));
  });

  it('should keep a block inside a code fence as text', async () => {
    const fenced = `Like this:\n\n\`\`\`\n${BLOCK}\n\`\`\`\n`;
    const events = await run(upstream(fenced).events);
    expect(content(events)).toBe(fenced);
    expect(events.some((event) => event.type === 'toolCall')).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
  });

  it('should pass markup through untouched under tool_choice none and without tools', async () => {
    for (const request of [{ ...tools, choice: 'none' as const }, null]) {
      const events = await run(upstream(BLOCK).events, request);
      expect(content(events)).toBe(BLOCK);
      expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'stop' });
    }
  });

  it('should pass reasoning through while the content holds a call', async () => {
    const events = await run(upstream(BLOCK, 7, 'Weather needs a tool.').events);
    expect(events[0]).toEqual({ type: 'reasoning', text: 'Weather needs a tool.' });
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool_calls' });
  });

  it('should fail a required choice that got no call with a tool_choice_violation', async () => {
    await expect(run(upstream('No tool needed.').events, { ...tools, choice: 'required' })).rejects.toMatchObject({
      code: 'tool_choice_violation',
    });
  });
});
