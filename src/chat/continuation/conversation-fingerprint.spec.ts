import { type ChatMessage, chatMessage } from '../dto/chat-completion-request';
import { continuationPoint, ConversationFingerprint, type FingerprintScope } from './conversation-fingerprint';

const scope: FingerprintScope = { caller: 'key-a', modelType: 'default', toolPromptDigest: null };

const message = chatMessage;

/** The key our answer (`text` streamed in pieces, then `calls`) gets after `history`. */
function answeredKey(history: ChatMessage[], pieces: string[], calls: [string, string][] = [], s = scope): string {
  const answer = ConversationFingerprint.of(s, history).openAssistant();
  for (const piece of pieces) answer.addText(piece);
  for (const [name, args] of calls) answer.addCall(name, args);
  return answer.key();
}

describe('conversation fingerprints', () => {
  const history = [message('system', 'Be brief.'), message('user', 'Weather in Paris?')];

  it('should find the answer streamed in pieces when the client sends it back whole', () => {
    const key = answeredKey(history, ['It is ', 'sunny', '.']);
    const next = [...history, message('assistant', 'It is sunny.'), message('user', 'And tomorrow?')];
    expect(continuationPoint(scope, next)).toEqual({ key, firstNew: 3 });
  });

  it('should find a long answer streamed in thousands of deltas, and not one that differs in its last character', () => {
    const pieces = Array.from({ length: 3000 }, (_, i) => `word${i} `);
    const key = answeredKey(history, pieces);
    const whole = pieces.join('');
    const next = [...history, message('assistant', whole), message('user', 'More?')];
    expect(continuationPoint(scope, next)?.key).toBe(key);
    const changed = [...history, message('assistant', `${whole.slice(0, -1)}!`), message('user', 'More?')];
    expect(continuationPoint(scope, changed)?.key).not.toBe(key);
  });

  it('should match tool calls by name and arguments, whatever their ids and JSON spacing', () => {
    const key = answeredKey(history, ['Checking.'], [['get_weather', '{"city":"Paris"}']]);
    const call = { id: 'toolu_other', name: 'get_weather', arguments: '{ "city": "Paris" }' };
    const next = [
      ...history,
      message('assistant', 'Checking.', { toolCalls: [call], reasoningContent: 'thought' }),
      message('tool', 'sunny', { toolCallId: 'toolu_other' }),
    ];
    expect(continuationPoint(scope, next)?.key).toBe(key);
  });

  it('should treat developer as system, function as tool, and a null content as empty', () => {
    const key = answeredKey([message('developer', 'Be brief.'), message('user', 'Hi')], []);
    const next = [
      message('system', 'Be brief.'),
      message('user', 'Hi'),
      message('assistant', null),
      message('user', 'Yo'),
    ];
    expect(continuationPoint(scope, next)?.key).toBe(key);
  });

  it.each([
    ['an edited earlier message', [message('system', 'Be brief.'), message('user', 'Weather in Rome?')], scope],
    ['another system prompt', [message('system', 'Be long.'), message('user', 'Weather in Paris?')], scope],
    ['another caller', history, { ...scope, caller: 'key-b' }],
    ['another tool set', history, { ...scope, toolPromptDigest: 'tools-2' }],
    ['another mode', history, { ...scope, modelType: 'expert' }],
  ])('should not match after %s', (_, earlier, otherScope) => {
    const key = answeredKey(history, ['It is sunny.']);
    const next = [...earlier, message('assistant', 'It is sunny.'), message('user', 'And tomorrow?')];
    expect(continuationPoint(otherScope, next)?.key).not.toBe(key);
  });

  it('should tell apart histories whose images differ under the same name', () => {
    const picture = (data: string) =>
      message('user', 'What is this? [attachment 1: photo.png]', {
        attachments: [
          {
            path: 'messages[0].content[1]',
            kind: 'image',
            source: { type: 'bytes', data: Buffer.from(data), mediaType: 'image/png' },
            fileName: 'photo.png',
          },
        ],
      });
    const key = answeredKey([picture('a cat')], ['A cat.']);
    const same = [picture('a cat'), message('assistant', 'A cat.'), message('user', 'Sure?')];
    const other = [picture('a dog'), message('assistant', 'A cat.'), message('user', 'Sure?')];
    expect(continuationPoint(scope, same)?.key).toBe(key);
    expect(continuationPoint(scope, other)?.key).not.toBe(key);
  });

  it('should not match an answer the client changed', () => {
    const key = answeredKey(history, ['It is sunny.']);
    const next = [...history, message('assistant', 'It is sunny!'), message('user', 'And tomorrow?')];
    expect(continuationPoint(scope, next)?.key).not.toBe(key);
  });

  it('should offer no continuation without an assistant message or with nothing after it', () => {
    expect(continuationPoint(scope, history)).toBeNull();
    expect(continuationPoint(scope, [...history, message('assistant', 'Hi')])).toBeNull();
  });
});
