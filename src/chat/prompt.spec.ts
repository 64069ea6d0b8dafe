import type { ChatMessage, ChatRole, ToolCall } from './dto/chat-completion-request';
import { ASSISTANT_MARKER, buildPrompt, END_OF_SENTENCE, messagesToSend, USER_MARKER } from './prompt';

const message = (role: ChatRole, content: ChatMessage['content'], extra: Partial<ChatMessage> = {}): ChatMessage => ({
  role,
  content,
  name: null,
  toolCalls: [],
  toolCallId: null,
  reasoningContent: null,
  ...extra,
});
const flatten = (messages: ChatMessage[]) => buildPrompt(messages, false);
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

  it('should render tool calls and tool results as readable text', () => {
    const call: ToolCall = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const prompt = flatten([
      message('user', 'Weather in Paris?'),
      message('assistant', null, { toolCalls: [call] }),
      message('tool', '22°C', { toolCallId: 'call_1' }),
      message('assistant', 'It is 22°C.'),
    ]);
    expect(prompt).toBe(
      `Weather in Paris?${A}[Called get_weather with {"city":"Paris"}]${EOS}` +
        `${U}[Result of get_weather]\n22°C${A}It is 22°C.${EOS}`,
    );
  });

  it('should keep assistant text before its tool calls and name legacy function results', () => {
    const prompt = flatten([
      message('user', 'Q'),
      message('assistant', 'Let me look.', { toolCalls: [{ id: null, name: 'lookup', arguments: '{}' }] }),
      message('function', 'found', { name: 'lookup' }),
      message('tool', 'orphan', { toolCallId: 'call_unknown' }),
    ]);
    expect(prompt).toBe(
      `Q${A}Let me look.\n\n[Called lookup with {}]${EOS}${U}[Result of lookup]\nfound\n\n[Result of a tool call]\norphan`,
    );
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
    expect(buildPrompt(history, true)).toBe('U2\n\nU3');
  });

  it('should send everything when there is no assistant message', () => {
    expect(buildPrompt([message('system', 'S'), message('user', 'U')], true)).toBe(`S${U}U`);
  });

  it('should send nothing when the last message is the assistant', () => {
    expect(messagesToSend(history.slice(0, 3), true)).toEqual([]);
  });

  it('should still name tool results whose call is in the earlier history', () => {
    const prompt = buildPrompt(
      [
        message('user', 'Q'),
        message('assistant', null, { toolCalls: [{ id: 'c1', name: 'search', arguments: '{}' }] }),
        message('tool', 'r', { toolCallId: 'c1' }),
      ],
      true,
    );
    expect(prompt).toBe('[Result of search]\nr');
  });
});
