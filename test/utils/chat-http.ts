import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** A response as node:http delivered it: status, headers and the body text, untouched. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export interface RawRequestOptions {
  method?: string;
  headers?: Record<string, string>;
}

/** Sends `body` (an object is JSON-encoded, a string goes as is) with node:http and reads the whole answer. */
export function rawRequest(url: string, body?: unknown, options: RawRequestOptions = {}): Promise<RawResponse> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined) headers['content-type'] ??= 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? (payload === undefined ? 'GET' : 'POST'), headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** `POST <baseURL>/chat/completions` with `Authorization: Bearer <tokens>` (omit `tokens` to send none). */
export function postChat(
  baseURL: string,
  body: unknown,
  tokens?: readonly string[],
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const auth: Record<string, string> = tokens ? { authorization: `Bearer ${tokens.join(',')}` } : {};
  return rawRequest(`${baseURL}/chat/completions`, body, { headers: { ...auth, ...headers } });
}

/** One SSE event of our stream: a `data:` payload or a `:` comment. */
export type SseFrame = { kind: 'data'; data: string } | { kind: 'comment'; text: string };

/**
 * Splits an OpenAI-style SSE body into frames, failing on anything our gateway must never write: an
 * `event:`/`id:` line, several lines in one event, or a body that does not end with a blank line.
 */
export function parseSseFrames(body: string): SseFrame[] {
  if (body === '') return [];
  if (!body.endsWith('\n\n')) {
    throw new Error(`the stream does not end with a blank line: ${JSON.stringify(body.slice(-40))}`);
  }
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((event): SseFrame => {
      if (event.includes('\n')) throw new Error(`an SSE event spans several lines: ${JSON.stringify(event)}`);
      if (event.startsWith('data: ')) return { kind: 'data', data: event.slice('data: '.length) };
      if (event.startsWith(':')) return { kind: 'comment', text: event.slice(1).trim() };
      throw new Error(`an SSE event that is neither data nor a comment: ${JSON.stringify(event)}`);
    });
}

/** What a chat completion stream said, read the way a careful client would. */
export interface ChatStream {
  /** Every JSON chunk (not the error frame), in order. */
  chunks: any[];
  content: string;
  reasoning: string;
  /** The last non-null finish_reason. */
  finishReason: string | null;
  /** The usage chunk's usage, if one came. */
  usage: any;
  /** The `error` object of an error frame, if one came. */
  error: any;
  /** Whether `data: [DONE]` ended the stream. */
  done: boolean;
  comments: number;
}

export function readChatStream(body: string): ChatStream {
  const stream: ChatStream = {
    chunks: [],
    content: '',
    reasoning: '',
    finishReason: null,
    usage: undefined,
    error: undefined,
    done: false,
    comments: 0,
  };
  for (const frame of parseSseFrames(body)) {
    if (frame.kind === 'comment') {
      stream.comments++;
      continue;
    }
    if (frame.data === '[DONE]') {
      stream.done = true;
      continue;
    }
    const payload = JSON.parse(frame.data);
    if (payload.error) {
      stream.error = payload.error;
      continue;
    }
    stream.chunks.push(payload);
    for (const choice of payload.choices) {
      stream.content += choice.delta.content ?? '';
      stream.reasoning += choice.delta.reasoning_content ?? '';
      if (choice.finish_reason !== null) stream.finishReason = choice.finish_reason;
    }
    if (payload.usage) stream.usage = payload.usage;
  }
  return stream;
}

/** A chunk or completion without what differs between two runs of the same request (`id`, `created`). */
export function withoutIdentity<T extends { id?: unknown; created?: unknown }>(value: T): Omit<T, 'id' | 'created'> {
  const { id: _id, created: _created, ...rest } = value;
  return rest;
}
