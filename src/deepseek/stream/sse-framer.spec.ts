import { SseFramer } from './sse-framer';

function frame(chunks: (string | Uint8Array)[], end = true): [string, string][] {
  const events: [string, string][] = [];
  const framer = new SseFramer((event, data) => events.push([event, data]));
  for (const chunk of chunks) framer.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  if (end) framer.end();
  return events;
}

describe('SseFramer', () => {
  it('should dispatch events on blank lines with the default name "message"', () => {
    expect(frame(['event: ready\ndata: {"a":1}\n\ndata: x\n\n'])).toEqual([
      ['ready', '{"a":1}'],
      ['message', 'x'],
    ]);
  });

  it('should accept LF, CRLF and CR line ends, also mixed', () => {
    expect(frame(['data: a\r\n\r\ndata: b\r\rdata: c\n\nevent: e\r\ndata: d\r\n\n'])).toEqual([
      ['message', 'a'],
      ['message', 'b'],
      ['message', 'c'],
      ['e', 'd'],
    ]);
  });

  it('should treat a CRLF split between chunks as one line end', () => {
    expect(frame(['data: a\r', '\n\r', '\ndata: b\r', '\r'])).toEqual([
      ['message', 'a'],
      ['message', 'b'],
    ]);
  });

  it('should join several data lines with "\\n" and remove only one leading space', () => {
    expect(frame(['data: one\ndata:  two\ndata:three\ndata\n\n'])).toEqual([['message', 'one\n two\nthree\n']]);
  });

  it('should ignore comment lines, unknown fields, id/retry and lines without a colon', () => {
    const body =
      ': \n:keep-alive\n{"code":0,"msg":"","data":{"biz_code":0}}\nid: 7\nretry: 10\nnoise\nevent: ready\ndata: {}\n\n';
    expect(frame([body])).toEqual([['ready', '{}']]);
  });

  it('should not dispatch an event that has no data line', () => {
    expect(frame(['event: finish\n\ndata: x\n\n'])).toEqual([['message', 'x']]);
  });

  it('should keep whitespace-only values verbatim', () => {
    expect(frame(['data: {"v":" "}\n\ndata:  \n\n'])).toEqual([
      ['message', '{"v":" "}'],
      ['message', ' '],
    ]);
  });

  it('should decode UTF-8 characters split between chunks, byte by byte', () => {
    const bytes = Buffer.from('data: {"v":"我们😊"}\n\n', 'utf8');
    const chunks = [...bytes].map((byte) => Uint8Array.of(byte));
    expect(frame(chunks)).toEqual([['message', '{"v":"我们😊"}']]);
  });

  it('should dispatch a final event without a trailing blank line at end()', () => {
    expect(frame(['event: close\ndata: {"x":1}'])).toEqual([['close', '{"x":1}']]);
    expect(frame(['data: a\ndata: b\n'])).toEqual([['message', 'a\nb']]);
    expect(frame(['data: a\r'])).toEqual([['message', 'a']]);
  });

  it('should not dispatch an unterminated event before end()', () => {
    expect(frame(['data: a\n'], false)).toEqual([]);
  });

  it('should carry a line of more than 1 MB in many chunks without a length limit', () => {
    const value = 'x'.repeat(1_200_000);
    const bytes = Buffer.from(`data: ${value}\n\n`);
    const chunks = [];
    for (let at = 0; at < bytes.length; at += 4093) chunks.push(bytes.subarray(at, at + 4093));
    const events = frame(chunks);
    expect(events).toHaveLength(1);
    expect(events[0][1]).toHaveLength(value.length);
  });

  it('should skip a UTF-8 byte order mark at the start of a body', () => {
    expect(frame([Uint8Array.of(0xef, 0xbb), Buffer.from('\xbfdata: a\n\n', 'latin1')])).toEqual([['message', 'a']]);
  });

  it('should start afresh after end()', () => {
    const events: [string, string][] = [];
    const framer = new SseFramer((event, data) => events.push([event, data]));
    framer.write(Buffer.from('event: ready\ndata: 1\n\ndata: partial'));
    framer.end();
    framer.write(Buffer.from('data: 2\n\n'));
    framer.end();
    expect(events).toEqual([
      ['ready', '1'],
      ['message', 'partial'],
      ['message', '2'],
    ]);
  });
});
