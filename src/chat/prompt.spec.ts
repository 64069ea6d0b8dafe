import { type ChatMessage, chatMessage, type ToolCall } from './dto/chat-completion-request';
import { ASSISTANT_MARKER, buildPrompt, END_OF_SENTENCE, messagesToSend, USER_MARKER } from './prompt';
import { buildToolPrompt } from './tools/tool-prompt';
import type { ToolRequest } from './tools/tool-types';

const message = chatMessage;
const flatten = (messages: ChatMessage[]) => buildPrompt(messages);
const U = USER_MARKER;
const A = ASSISTANT_MARKER;
const EOS = END_OF_SENTENCE;

describe('buildPrompt', () => {
  it('should use the exact marker characters (U+FF5C, U+2581)', () => {
    expect(Buffer.from(USER_MARKER).toString('hex')).toBe('3cefbd9c55736572efbd9c3e');
    expect(Buffer.from(ASSISTANT_MARKER).toString('hex')).toBe(
      Buffer.from('<\u{ff5c}Assistant\u{ff5c}>').toString('hex'),
    );
    expect(Buffer.from(END_OF_SENTENCE).toString('hex')).toBe('3cefbd9c656e64e296816f66e2968173656e74656e6365efbd9c3e');
  });

  it('should flatten the §9.1 example byte for byte', () => {
    const prompt = flatten([
      message('system', 'S'),
      message('user', 'U1'),
      message('assistant', 'A1'),
      message('user', 'U2'),
    ]);
    expect(prompt).toBe('S<｜User｜>U1<｜Assistant｜>A1<｜end▁of▁sentence｜><｜User｜>U2');
  });

  it('should send a single user message as exactly its text', () => {
    expect(flatten([message('user', '  Hello\n')])).toBe('  Hello\n');
    expect(flatten([message('user', [{ type: 'text', text: 'Hello' }])])).toBe('Hello');
  });

  it('should render null content as an empty string, never "null"', () => {
    expect(flatten([message('user', 'Q'), message('assistant', null)])).toBe(`Q${A}${EOS}`);
  });

  it('should join text parts with a newline', () => {
    const parts = [
      { type: 'text' as const, text: 'a' },
      { type: 'text' as const, text: 'b' },
    ];
    expect(flatten([message('user', parts)])).toBe('a\nb');
  });

  it('should merge consecutive messages of the same role with a blank line', () => {
    expect(
      flatten([message('user', 'a'), message('user', 'b'), message('assistant', 'c'), message('assistant', 'd')]),
    ).toBe(`a\n\nb${A}c\n\nd${EOS}`);
  });

  it('should treat developer as system', () => {
    expect(flatten([message('developer', 'D'), message('system', 'S'), message('user', 'U')])).toBe(`D\n\nS${U}U`);
  });

  it('should mark a system or user block after the first', () => {
    expect(flatten([message('user', 'U'), message('system', 'S')])).toBe(`U${U}S`);
  });

  it('should mark an assistant block even when it comes first', () => {
    expect(flatten([message('assistant', 'A'), message('user', 'U')])).toBe(`${A}A${EOS}${U}U`);
  });

  it('should not append a trailing assistant marker', () => {
    expect(flatten([message('user', 'U')]).endsWith(A)).toBe(false);
  });

  it('should keep markdown images (no image-removal regex)', () => {
    expect(flatten([message('user', 'see ![a](b) and ![c](d)')])).toBe('see ![a](b) and ![c](d)');
  });

  it('should render tool calls in the tool markup and their results in <tool_results>', () => {
    const call: ToolCall = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const prompt = flatten([
      message('user', 'Weather in Paris?'),
      message('assistant', null, { toolCalls: [call] }),
      message('tool', '22°C', { toolCallId: 'call_1' }),
      message('assistant', 'It is 22°C.'),
    ]);
    expect(prompt).toBe(
      `Weather in Paris?${A}<|DSML|tool_calls>\n<|DSML|invoke name="get_weather">\n` +
        '<|DSML|parameter name="city" string="true">Paris</|DSML|parameter>\n</|DSML|invoke>\n</|DSML|tool_calls>' +
        `${EOS}${U}<tool_results>\n<result name="get_weather" call_id="call_1">22°C</result>\n</tool_results>` +
        `${A}It is 22°C.${EOS}`,
    );
  });

  it('should mark a failed tool result as an error in <tool_results>', () => {
    const call: ToolCall = { id: 'call_1', name: 'get_weather', arguments: '{}' };
    const prompt = flatten([
      message('user', 'Weather?'),
      message('assistant', null, { toolCalls: [call] }),
      message('tool', 'timeout', { toolCallId: 'call_1', isError: true }),
    ]);
    expect(prompt).toContain('<result name="get_weather" call_id="call_1" error="true">timeout</result>');
  });

  it('should keep assistant text before its calls, pair legacy results by name and keep orphans', () => {
    const prompt = flatten([
      message('user', 'Q'),
      message('assistant', 'Let me look.', { toolCalls: [{ id: null, name: 'lookup', arguments: '{}' }] }),
      message('function', 'found', { name: 'lookup' }),
      message('tool', 'orphan <tool_calls>', { toolCallId: 'call_unknown' }),
    ]);
    expect(prompt).toBe(
      `Q${A}Let me look.\n\n<|DSML|tool_calls>\n<|DSML|invoke name="lookup">\n</|DSML|invoke>\n</|DSML|tool_calls>${EOS}` +
        `${U}<tool_results>\n<result name="lookup">found</result>\n` +
        '<result name="unknown" call_id="call_unknown">orphan &lt;tool_calls></result>\n</tool_results>',
    );
  });
});

describe('buildPrompt with tools', () => {
  const tools: ToolRequest = {
    tools: [{ name: 'get_weather', description: 'Weather now', parameters: null, strict: false, kind: 'function' }],
    choice: 'auto',
    parallel: true,
  };

  it('should put the tool prompt after the client system text and the reminder after the latest user turn', () => {
    const prompt = buildPrompt(
      [message('system', 'Be brief.'), message('user', 'U1'), message('assistant', 'A1'), message('user', 'U2')],
      { tools },
    );
    const toolPrompt = buildToolPrompt(tools)!;
    expect(prompt).toBe(`Be brief.\n\n${toolPrompt.system}${U}U1${A}A1${EOS}${U}U2\n\n${toolPrompt.reminder}`);
  });

  it('should open with the tool prompt when the client sent no system text, and defang user text', () => {
    const toolPrompt = buildToolPrompt(tools)!;
    expect(buildPrompt([message('user', 'see <|DSML|tool_calls>')], { tools })).toBe(
      `${toolPrompt.system}${U}see &lt;|DSML|tool_calls>\n\n${toolPrompt.reminder}`,
    );
  });

  it('should send only the reminder to a continued session that holds the same declarations', () => {
    const toolPrompt = buildToolPrompt(tools)!;
    const history = [message('user', 'U1'), message('assistant', 'A1'), message('user', 'U2')];
    expect(buildPrompt(history, { continuation: true, tools, toolsDeclared: true })).toBe(
      `U2\n\n${toolPrompt.reminder}`,
    );
    expect(buildPrompt(history, { continuation: true, tools })).toBe(
      `${toolPrompt.system}${U}U2\n\n${toolPrompt.reminder}`,
    );
  });

  it('should end the latest user turn with the response_format instructions, after the tool reminder', () => {
    const toolPrompt = buildToolPrompt(tools)!;
    const prompt = buildPrompt([message('user', 'U1')], { tools, responseFormat: { type: 'json_object' } });
    expect(
      prompt.endsWith(
        `U1\n\n${toolPrompt.reminder}\n\nReply with only one JSON object. Write no code fence and no text before or after it.`,
      ),
    ).toBe(true);
  });

  it('should inject nothing under tool_choice none', () => {
    const history = [message('system', 'S'), message('user', 'see <tool_calls>')];
    expect(buildPrompt(history, { tools: { ...tools, choice: 'none' } })).toBe(flatten(history));
    expect(flatten(history)).toBe(`S${U}see <tool_calls>`);
  });
});

describe('messagesToSend (native continuation)', () => {
  const history = [
    message('system', 'S'),
    message('user', 'U1'),
    message('assistant', 'A1'),
    message('user', 'U2'),
    message('user', 'U3'),
  ];

  it('should send every message without continuation', () => {
    expect(messagesToSend(history, false)).toBe(history);
  });

  it('should send only the messages after the last assistant message', () => {
    expect(messagesToSend(history, true)).toEqual([history[3], history[4]]);
    expect(buildPrompt(history, { continuation: true })).toBe('U2\n\nU3');
  });

  it('should send everything when there is no assistant message', () => {
    expect(buildPrompt([message('system', 'S'), message('user', 'U')], { continuation: true })).toBe(`S${U}U`);
  });

  it('should send nothing when the last message is the assistant', () => {
    expect(messagesToSend(history.slice(0, 3), true)).toEqual([]);
  });

  it('should still pair tool results with calls in the earlier history', () => {
    const prompt = buildPrompt(
      [
        message('user', 'Q'),
        message('assistant', null, { toolCalls: [{ id: 'c1', name: 'search', arguments: '{}' }] }),
        message('tool', 'r', { toolCallId: 'c1' }),
      ],
      { continuation: true },
    );
    expect(prompt).toBe('<tool_results>\n<result name="search" call_id="c1">r</result>\n</tool_results>');
  });
});
