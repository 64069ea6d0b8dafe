import { deepSeekHashV1 } from '../../src/deepseek/pow/deepseek-hash';
import { rawRequest, type RawRequestOptions, type RawResponse } from '../utils/http/raw-request';
import { type SseEvent, sseEvents } from '../utils/sse/sse-reader';
import type { IssuedChallenge } from './pow';

/** The patch objects of a Format B/C stream (its unnamed `message` events), parsed. */
export const patchesOf = (events: SseEvent[]): any[] =>
  events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data));

/** The names of a stream's named events, in order. */
export const namedEventsOf = (events: { event: string }[]): string[] =>
  events.filter((e) => e.event !== 'message').map((e) => e.event);

export interface Decoded {
  reasoning: string;
  content: string;
  template: string;
  status: string | null;
  usage: number | null;
  title: string | null;
  named: string[];
  document: Record<string, any>;
}

/** Applies Formats A/B/C the way §7.3–7.4 define them, to check that texts arrive intact. */
export function decodeStream(events: SseEvent[]): Decoded {
  const out: Decoded = {
    reasoning: '',
    content: '',
    template: '',
    status: null,
    usage: null,
    title: null,
    named: [],
    document: {},
  };
  let path = '';
  let op = 'SET';
  let chunkUsage = 0;
  for (const { event, data } of events) {
    if (event !== 'message') {
      out.named.push(event);
      if (event === 'title') out.title = JSON.parse(data).content;
      continue;
    }
    if (data === '[DONE]') continue;
    const frame = JSON.parse(data);
    if (frame.choices) {
      const choice = frame.choices[0];
      if (choice.delta.type === 'thinking') out.reasoning += choice.delta.content ?? '';
      if (choice.delta.type === 'text') out.content += choice.delta.content ?? '';
      chunkUsage += frame.chunk_token_usage + (frame.prompt_token_usage ?? 0);
      if (choice.finish_reason) out.status = choice.finish_reason;
      out.usage = chunkUsage;
      continue;
    }
    if (frame.type === 'error') {
      out.status = 'ERROR';
      continue;
    }
    if ('p' in frame) path = frame.p;
    if ('o' in frame) op = frame.o;
    const inferredBatch =
      !('o' in frame) && Array.isArray(frame.v) && frame.v.every((x: any) => typeof x?.p === 'string');
    apply(out.document, path, inferredBatch ? 'BATCH' : op, frame.v);
  }
  const response = out.document.response ?? {};
  if (Array.isArray(response.fragments)) {
    for (const f of response.fragments) {
      if (f.type === 'THINK') out.reasoning += f.content;
      if (f.type === 'RESPONSE') out.content += f.content;
      if (f.type === 'TEMPLATE_RESPONSE') out.template += f.content;
    }
  } else if ('content' in response) {
    out.reasoning = response.thinking_content ?? '';
    out.content = response.content;
  }
  if (response.status) out.status = response.status;
  if (typeof response.accumulated_token_usage === 'number') out.usage = response.accumulated_token_usage;
  return out;
}

function apply(doc: Record<string, any>, path: string, op: string, value: any): void {
  if (op === 'BATCH') {
    for (const sub of value) apply(doc, path === '' ? sub.p : `${path}/${sub.p}`, sub.o ?? 'SET', sub.v);
    return;
  }
  if (path === '') {
    Object.assign(doc, value);
    return;
  }
  const keys = path.split('/');
  let target: any = doc;
  for (const key of keys.slice(0, -1)) {
    const k = Array.isArray(target) && Number(key) < 0 ? target.length + Number(key) : key;
    target[k] ??= {};
    target = target[k];
  }
  const last = keys[keys.length - 1];
  const k = Array.isArray(target) && Number(last) < 0 ? target.length + Number(last) : last;
  const current = target[k];
  if (op === 'APPEND' && typeof current === 'string') target[k] = current + value;
  else if (op === 'APPEND' && Array.isArray(current)) target[k] = current.concat(value);
  else target[k] = value;
}

export function solvePow(challenge: IssuedChallenge): number {
  for (let answer = 0; answer < challenge.difficulty; answer++) {
    if (deepSeekHashV1(`${challenge.salt}_${challenge.expire_at}_${answer}`) === challenge.challenge) return answer;
  }
  throw new Error('no answer');
}

export function powHeader(challenge: IssuedChallenge, answer: number, override: Record<string, unknown> = {}): string {
  const value = {
    algorithm: challenge.algorithm,
    challenge: challenge.challenge,
    salt: challenge.salt,
    answer,
    signature: challenge.signature,
    target_path: challenge.target_path,
    ...override,
  };
  return Buffer.from(JSON.stringify(value)).toString('base64');
}

/** A business envelope as the fake (and DeepSeek) answers it: `{code: 0, data: {biz_code, biz_msg, biz_data}}`. */
export const biz = (bizCode: number, bizMsg: string, bizData: unknown = null) => ({
  code: 0,
  msg: '',
  data: { biz_code: bizCode, biz_msg: bizMsg, biz_data: bizData },
});

export interface UploadPart {
  filename: string;
  contentType?: string;
  data: Buffer | string;
}

export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

/** A multipart/form-data body as browsers build it. */
export function multipartBody(
  parts: FormPart[],
  boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW',
): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.contentType === undefined ? '' : `\r\nContent-Type: ${part.contentType}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}${type}\r\n\r\n`),
    );
    chunks.push(typeof part.data === 'string' ? Buffer.from(part.data) : part.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Talks to the fake as one account, the way our real client will. */
export class FakeClient {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async json(path: string, body?: object, headers: Record<string, string> = {}): Promise<any> {
    const res = await rawRequest(`${this.url}${path}`, body, {
      headers: { authorization: `Bearer ${this.token}`, ...headers },
    });
    return JSON.parse(res.text);
  }

  async createSession(): Promise<string> {
    const envelope = await this.json('/api/v0/chat_session/create', {});
    const data = envelope.data.biz_data;
    return data.chat_session?.id ?? data.id;
  }

  async challenge(targetPath = '/api/v0/chat/completion'): Promise<IssuedChallenge> {
    const envelope = await this.json('/api/v0/chat/create_pow_challenge', { target_path: targetPath });
    return envelope.data.biz_data.challenge;
  }

  async solvedHeader(targetPath = '/api/v0/chat/completion'): Promise<string> {
    const challenge = await this.challenge(targetPath);
    return powHeader(challenge, solvePow(challenge));
  }

  /**
   * POST file/upload_file with one `file` part, a fresh upload PoW unless `pow` is given (null = none) and
   * `x-file-size` = the bytes unless `fileSize` is given (null = no header).
   */
  async upload(
    file: UploadPart,
    options: { pow?: string | null; fileSize?: number | string | null; headers?: Record<string, string> } = {},
  ): Promise<RawResponse> {
    const pow = options.pow === undefined ? await this.solvedHeader('/api/v0/file/upload_file') : options.pow;
    const data = typeof file.data === 'string' ? Buffer.from(file.data) : file.data;
    const form = multipartBody([{ name: 'file', filename: file.filename, contentType: file.contentType, data }]);
    const size = options.fileSize === undefined ? data.length : options.fileSize;
    return rawRequest(`${this.url}/api/v0/file/upload_file`, form.body, {
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': form.contentType,
        ...(pow === null ? {} : { 'x-ds-pow-response': pow }),
        ...(size === null ? {} : { 'x-file-size': String(size) }),
        ...options.headers,
      },
    });
  }

  /** GET file/fetch_files for these ids; the envelope. */
  async fetchFiles(ids: string[]): Promise<any> {
    const res = await rawRequest(`${this.url}/api/v0/file/fetch_files?file_ids=${ids.join(',')}`, undefined, {
      headers: { authorization: `Bearer ${this.token}` },
    });
    return res.json;
  }

  /** Uploads, then polls fetch_files until the file is SUCCESS or FAILED; its last fetch_files entry. */
  async uploadAndWait(file: UploadPart): Promise<any> {
    const uploaded = (await this.upload(file)).json.data.biz_data;
    for (let i = 0; i < 50; i++) {
      const [entry] = (await this.fetchFiles([uploaded.id])).data.biz_data.files;
      if (entry.status === 'SUCCESS' || entry.status === 'FAILED') return entry;
    }
    throw new Error(`file ${uploaded.id} never finished`);
  }

  /** POST chat/completion with a fresh solved PoW unless `pow` is given (null = no header). */
  async complete(
    body: Record<string, unknown>,
    options: { pow?: string | null; headers?: Record<string, string>; dropWhen?: RawRequestOptions['dropWhen'] } = {},
  ): Promise<RawResponse & { events: SseEvent[]; pow: string | null }> {
    const pow = options.pow === undefined ? await this.solvedHeader() : options.pow;
    return this.stream('/api/v0/chat/completion', { parent_message_id: null, prompt: 'Hello', ...body }, pow, options);
  }

  async continue(
    body: Record<string, unknown>,
    pow: string | null,
    options: { headers?: Record<string, string>; dropWhen?: RawRequestOptions['dropWhen'] } = {},
  ): Promise<RawResponse & { events: SseEvent[]; pow: string | null }> {
    return this.stream('/api/v0/chat/continue', { fallback_to_resume: true, ...body }, pow, options);
  }

  private async stream(
    path: string,
    body: Record<string, unknown>,
    pow: string | null,
    options: { headers?: Record<string, string>; dropWhen?: RawRequestOptions['dropWhen'] },
  ) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: 'text/event-stream',
      ...(pow === null ? {} : { 'x-ds-pow-response': pow }),
      ...options.headers,
    };
    const res = await rawRequest(`${this.url}${path}`, body, { headers, dropWhen: options.dropWhen });
    return { ...res, events: sseEvents(res.text), pow };
  }
}
