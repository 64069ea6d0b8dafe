import type { IncomingMessage, ServerResponse } from 'node:http';

/** Room for a benchmark's long scripted reply (tens of MB) sent through the control API. */
const MAX_BODY_BYTES = 96 * 1024 * 1024;

export const BUSY_MESSAGE = 'A message is being generated, please try again later.';
export const SUSPENDED_MESSAGE = '由于违规次数过多，你的账户已被临时停用';
export const CLOSE_DATA = '{"click_behavior":"none","auto_resume":false}';
/** A `close` that tells the web UI the message failed (offer a retry). */
export const CLOSE_RETRY_DATA = '{"click_behavior":"retry","auto_resume":false}';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendOk(res: ServerResponse, bizData: unknown): void {
  sendJson(res, 200, { code: 0, msg: '', data: { biz_code: 0, biz_msg: '', biz_data: bizData } });
}

export function sendBizError(res: ServerResponse, bizCode: number, bizMsg: string, bizData: unknown = null): void {
  sendJson(res, 200, { code: 0, msg: '', data: { biz_code: bizCode, biz_msg: bizMsg, biz_data: bizData } });
}

export function sendCodeError(res: ServerResponse, code: number, msg: string, status = 200): void {
  sendJson(res, status, { code, msg, data: null });
}

export const sendInvalidToken = (res: ServerResponse): void =>
  sendCodeError(res, 40003, 'Authorization Failed (invalid token)');
export const sendInvalidSession = (res: ServerResponse): void => sendBizError(res, 1, 'invalid chat session id');
export const sendInvalidMessage = (res: ServerResponse): void => sendBizError(res, 26, 'invalid message id');
export const sendClientVersionTooLow = (res: ServerResponse): void =>
  sendCodeError(res, 40005, 'CLIENT_VERSION_TOO_LOW');
export const sendBanned = (res: ServerResponse): void => sendBizError(res, 10, 'USER_IS_BANNED');
export const sendSuspended = (res: ServerResponse): void => sendBizError(res, 14, SUSPENDED_MESSAGE);
export const sendMuted = (res: ServerResponse, muteUntil: number): void =>
  sendBizError(res, 5, 'user is muted', { is_muted: 1, mute_until: muteUntil });

/** FastAPI-style validation error (§2.2). */
export function sendUnprocessable(res: ServerResponse, field: string, msg: string): void {
  sendJson(res, 422, { detail: [{ loc: ['body', field], msg, type: 'value_error' }] });
}

export function sendSseHeaders(res: ServerResponse, traceId: string): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-ds-sse-heartbeat-timeout-secs': '8',
    'x-ds-trace-id': traceId,
  });
}

/** An in-stream refusal (the busy refusal's SSE form): an event stream carrying only one error object. */
export function sendSseError(res: ServerResponse, traceId: string, message: string): void {
  sendSseHeaders(res, traceId);
  res.end(`data: ${JSON.stringify({ type: 'error', content: message, clear_response: true })}\n\n`);
}

export type WafVariant = 'cloudflare' | 'cloudwaf' | 'aws';

const WAF_PAGES: Record<WafVariant, { status: number; headers: Record<string, string>; body: string }> = {
  cloudflare: {
    status: 403,
    headers: { server: 'cloudflare', 'cf-mitigated': 'challenge' },
    body: '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript and cookies to continue</noscript></body></html>',
  },
  cloudwaf: {
    status: 403,
    headers: {},
    body: '<!DOCTYPE html><html><head><meta charset="utf-8"><title>访问被拦截！</title></head><body><h1>Error - Request Blocked</h1></body></html>',
  },
  aws: {
    status: 202,
    headers: { 'x-amzn-waf-action': 'challenge' },
    body: '<!DOCTYPE html><html lang="en"><head><title></title></head><body><div id="challenge-container"></div></body></html>',
  },
};

export function sendWafPage(res: ServerResponse, variant: WafVariant = 'cloudflare', status?: number): void {
  const page = WAF_PAGES[variant] ?? WAF_PAGES.cloudflare;
  res.writeHead(status ?? page.status, {
    'content-type': 'text/html; charset=UTF-8',
    'content-length': Buffer.byteLength(page.body),
    ...page.headers,
  });
  res.end(page.body);
}
