import fc from 'fast-check';
import type { ParserLogger } from './parser-logger';
import { bareStringToken } from './stream-event-decoder';
import {
  chunked,
  eventsOfType,
  foldText,
  named,
  parse,
  parseBodies,
  sseBody,
} from '../../../test/utils/deepseek/stream-test-kit';

const snapshot = (fragments: unknown[], extra: Record<string, unknown> = {}) => ({
  v: { response: { message_id: 2, parent_id: 1, status: 'WIP', fragments, ...extra } },
});
const think = (content: string) => ({ id: 2, type: 'THINK', content });
const answer = (content: string) => ({ id: 3, type: 'RESPONSE', content });

function recordingLogger(): ParserLogger & { debugs: string[]; warns: string[] } {
  const debugs: string[] = [];
  const warns: string[] = [];
  return { debugs, warns, debug: (message) => debugs.push(message), warn: (message) => warns.push(message) };
}

/** Characters that decide between the fast path and JSON.parse. */
const TRICKY = ['"', '\\', '/', 'u', '0', 'a', '\n', '\t', '\u0001', '\u007f', '我', '\ud83d', '\ude0a', '}', '{', ' '];

describe('UpstreamStreamParser: framing and robustness', () => {
  const lfBody = sseBody(
    named('ready', { request_message_id: 1, response_message_id: 2 }),
    snapshot([think('a')]),
    { p: 'response/fragments/-1/content', o: 'APPEND', v: 'b' },
    { p: 'response/fragments', o: 'APPEND', v: [answer('c')] },
    { p: 'response/fragments/-1/content', v: 'd' },
    { p: 'response/status', o: 'SET', v: 'FINISHED' },
  );

  it('should give the same events with CRLF or CR line ends, comments and data split over several lines', () => {
    const reference = parse(lfBody).events;
    const crlf = `: \r\n${lfBody.replace(/\n/g, '\r\n')}`;
    const cr = lfBody.replace(/\n/g, '\r');
    const commented = lfBody.replace(/\n\n/g, '\n: keep-alive\n\n');
    const multiLine = lfBody.replace('data: {"p":"response/status",', 'data: {"p":"response/status",\ndata: ');
    expect(multiLine).not.toBe(lfBody);
    for (const body of [crlf, cr, commented, multiLine]) expect(parse(body).events).toEqual(reference);
  });

  it('should yield the same events for any split of a body with CR/CRLF ends, comments and 4-byte characters', () => {
    const body = Buffer.from(
      `\uFEFF: hi\r\n${lfBody.replace(/\n\n/g, '\r\n\r')}`.replace('"v":"b"', '"v":"😊b\\n"') +
        sseBody({ p: 'response/fragments/-1/content', o: 'APPEND', v: '𝄞é' }).replace('data: ', 'data: \ndata:'),
    );
    const whole = parse(body).events;
    expect(foldText(whole).content).toContain('𝄞é');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 16 }), { minLength: 1, maxLength: 32 }), (sizes) => {
        expect(parse(chunked(body, sizes)).events).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('should ignore a leading non-SSE line and lines without a colon', () => {
    const junk = '{"code":0,"msg":"","data":{"biz_code":0,"biz_data":{"status":"PENDING"}}}\nnot sse at all\n';
    expect(parse(junk + lfBody).events).toEqual(parse(lfBody).events);
  });

  it('should carry a snapshot line of more than 1 MB fed in socket-sized chunks', () => {
    const huge = '思'.repeat(400_000);
    const body = Buffer.from(
      sseBody(snapshot([think(huge)]), { p: 'response/fragments/-1/content', o: 'APPEND', v: '!' }),
    );
    expect(body.length).toBeGreaterThan(1_200_000);
    const result = parse(chunked(body, [65536, 16384, 1]));
    expect(result.reasoning).toBe(`${huge}!`);
    expect(result.message.reasoning).toBe(`${huge}!`);
  });

  it('should keep whitespace-only and escaped tokens verbatim', () => {
    const tokens = [' ', '\n', '\n\n', '\t', '  ', 'a"b', 'back\\slash', '\u0001', '😊'];
    const frames = tokens.map((v) => ({ v }));
    const result = parse(
      sseBody(snapshot([answer('')]), { p: 'response/fragments/-1/content', o: 'APPEND', v: '' }, ...frames),
    );
    expect(eventsOfType(result.events, 'content').map((event) => event.text)).toEqual(tokens);
    expect(result.message.content).toBe(tokens.join(''));
  });

  it('should take the {"v":"token"} fast path only where JSON.parse gives exactly that token', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...TRICKY) })), (raw) => {
        const data = `{"v":"${raw}"}`;
        const token = bareStringToken(data);
        if (token === null) return;
        expect(JSON.parse(data)).toEqual({ v: token });
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        const token = bareStringToken(JSON.stringify({ v: text }));
        expect(token === null || token === text).toBe(true);
      }),
    );
    expect(bareStringToken('{"v":"a","p":"x"}')).toBeNull();
    expect(bareStringToken('{"v":"\\n"}')).toBeNull();
  });

  it('should emit the same events whether tokens take the fast path or the general one', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme-composite' }), { maxLength: 20 }), (tokens) => {
        const head = [snapshot([think('')]), { p: 'response/fragments/-1/content', o: 'APPEND', v: '' }];
        const fast = sseBody(...head, ...tokens.map((v) => ({ v })));
        const general = sseBody(...head, ...tokens.map((v) => `{ "v": ${JSON.stringify(v)} }`));
        expect(parse(fast).events).toEqual(parse(general).events);
      }),
    );
  });

  it('should ignore unknown events, paths and fragment types without throwing, logging each once', () => {
    const logger = recordingLogger();
    const result = parse(
      sseBody(
        named('telemetry', { anything: true }),
        named('telemetry', { anything: true }),
        snapshot([think('a')]),
        { p: 'response/some/new/thing', o: 'SET', v: { deep: [1, 2] } },
        { p: 'response/fragments', o: 'APPEND', v: [{ id: 9, type: 'HOLOGRAM', content: 'never shown' }] },
        { p: 'response/fragments/-1/content', v: ' still hidden' },
        { p: 'response/unknown_list', o: 'APPEND', v: 1 },
        'not json',
        { p: 'response/status', o: 'SET', v: 'FINISHED' },
      ),
      logger,
    );
    expect(result.reasoning).toBe('a');
    expect(result.content).toBe('');
    expect(result.message).toMatchObject({ reasoning: 'a', content: '', status: 'FINISHED' });
    expect(logger.debugs.filter((line) => line.includes('telemetry'))).toHaveLength(1);
    expect(logger.debugs.some((line) => line.includes('HOLOGRAM'))).toBe(true);
  });

  it('should never show TIP fragments, whatever op brings their text', () => {
    const tip = '本回答由 AI 生成，内容仅供参考，请仔细甄别。';
    const result = parse(
      sseBody(
        snapshot([answer('x')]),
        { p: 'response/fragments', o: 'APPEND', v: [{ id: 4, type: 'TIP', content: tip, style: 'WARNING' }] },
        { p: 'response/fragments/-1/content', v: tip },
        { p: 'response/fragments/-1/content', o: 'SET', v: tip },
      ),
    );
    expect(result.content).toBe('x');
    expect(result.message.content).toBe('x');
  });

  it('should emit thinking text even when the snapshot says thinking was not enabled', () => {
    expect(parse(sseBody(snapshot([think('hm')], { thinking_enabled: false }))).reasoning).toBe('hm');
  });

  it('should report status and usage changes made through the robustness rules', () => {
    const logger = recordingLogger();
    const result = parse(
      sseBody(
        snapshot([answer('a')], { accumulated_token_usage: 0 }),
        { p: 'response/fragments/-1/content', o: 'APPEND', v: { text: 'b' } },
        { v: { content: 'c' } },
        { p: 'response/accumulated_token_usage', v: 12 },
        { p: 'response/status', v: 'FINISHED' },
        { p: 'response', o: 'BATCH', v: [{ p: 'quasi_status', v: 'FINISHED' }] },
        { v: 'not patches' },
      ),
      logger,
    );
    expect(result.content).toBe('abc');
    expect(eventsOfType(result.events, 'usage').map((event) => event.totalTokens)).toEqual([0, 12]);
    expect(eventsOfType(result.events, 'status').map((event) => event.status)).toEqual(['WIP', 'FINISHED']);
    expect(result.message.status).toBe('FINISHED');
    expect(logger.debugs.some((line) => line.includes('BATCH without patches'))).toBe(true);
  });

  it('should send ids once per body even when ready and the snapshot both carry them', () => {
    const body = sseBody(
      named('ready', { request_message_id: 1, response_message_id: 2, model_type: 'expert' }),
      snapshot([]),
    );
    const result = parseBodies([body, body]);
    expect(eventsOfType(result.events, 'ids')).toEqual([
      { type: 'ids', requestMessageId: 1, responseMessageId: 2, modelType: 'expert' },
      { type: 'ids', requestMessageId: 1, responseMessageId: 2, modelType: 'expert' },
    ]);
  });
});

describe('UpstreamStreamParser: continue rounds (§7.8)', () => {
  const round1 = sseBody(
    snapshot([think('abc')]),
    { p: 'response/fragments/-1/content', o: 'APPEND', v: 'd' },
    {
      p: 'response/status',
      v: 'INCOMPLETE',
    },
  );

  it('should emit only the unseen suffix of a continue snapshot, then the appends', () => {
    const round2 = sseBody(snapshot([think('abcdXY')]), { p: 'response/fragments/-1/content', o: 'APPEND', v: 'Z' });
    const result = parseBodies([round1, round2]);
    expect(eventsOfType(result.events, 'reasoning').map((event) => event.text)).toEqual(['abc', 'd', 'XY', 'Z']);
    expect(result.message.reasoning).toBe('abcdXYZ');
  });

  it('should emit nothing for a snapshot that lags behind, and no duplicate when it catches up', () => {
    const round2 = sseBody(
      snapshot([think('ab')]),
      { p: 'response/fragments/-1/content', o: 'APPEND', v: 'c' },
      { v: 'd' },
      { v: 'e' },
    );
    const result = parseBodies([round1, round2]);
    expect(result.reasoning).toBe('abcde');
  });

  it('should log a divergent restatement, emit nothing for it, and go on with new appends', () => {
    const logger = recordingLogger();
    const round2 = sseBody(snapshot([think('xyz')]), { p: 'response/fragments/-1/content', o: 'APPEND', v: '!' });
    const result = parseBodies([round1, round2], logger);
    expect(result.reasoning).toBe('abcd!');
    expect(result.message.reasoning).toBe('xyz!');
    expect(logger.warns).toHaveLength(1);
  });

  it('should reset the sticky path and op between rounds', () => {
    const round2 = sseBody(
      { v: { response: { status: 'WIP', fragments: [think('abcd')] } } },
      { v: 'ignored-root-set' },
    );
    const result = parseBodies([round1, round2]);
    expect(result.reasoning).toBe('abcd');
    expect(result.message.reasoning).toBe('abcd');
  });
});
