/**
 * The minimal relay (issue 21): the yardstick for the gateway's CPU per relayed frame in scenario 2. Plain
 * `node:http`, no framework, no validation, no backpressure handling: for every POST it does the bench's
 * direct-client handshake (DirectClient.openCompletion: chat_session/create ∥ create_pow_challenge + solve,
 * then the completion with x-ds-pow-response), decodes the upstream's SSE with the gateway's own
 * UpstreamStreamParser (keepText: false, as the gateway) and writes one OpenAI `chat.completion.chunk` SSE
 * frame per text frame, ending with `data: [DONE]`. Account: the first token of `Authorization: Bearer`.
 * Started by the harness with the probe preloaded: `--port N --upstream URL`. Never run by hand.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import type { DeepSeekEvent } from '../../src/deepseek/stream/deepseek-event';
import { UpstreamStreamParser } from '../../src/deepseek/stream/upstream-stream-parser';
import { DirectClient } from '../load/direct-stream';
import { solveInline } from '../load/pow-solvers';

const SILENT_LOGGER = { debug: () => undefined, warn: () => undefined };
const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' } } });
const agent = new Agent({ connections: null, pipelining: 1, keepAliveTimeout: 30_000 });
const client = new DirectClient(agent, String(values.upstream), solveInline);

async function relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
  for await (const _ of req); // the request body: the relay answers every request the same way
  const token = String(req.headers.authorization ?? '')
    .replace(/^Bearer /, '')
    .split(',')[0];
  const marker = String(req.headers['x-bench-marker'] ?? 'relay');
  const upstream = await client.openCompletion(token, marker);
  if (upstream.statusCode !== 200) {
    await upstream.body.dump();
    res.writeHead(502).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta: object, finishReason: string | null): string =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model: 'deepseek-chat',
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    })}\n\n`;
  let first = true;
  const onEvent = (event: DeepSeekEvent): void => {
    if (event.type === 'content' && event.text !== '') {
      res.write(chunk(first ? { role: 'assistant', content: event.text } : { content: event.text }, null));
      first = false;
    } else if (event.type === 'close') {
      res.end(`${chunk({}, 'stop')}data: [DONE]\n\n`);
    }
  };
  const parser = new UpstreamStreamParser(onEvent, { logger: SILENT_LOGGER, keepText: false });
  for await (const data of upstream.body) parser.write(data as Buffer);
  parser.end();
  if (!res.writableEnded) res.end();
}

const server = createServer((req, res) => {
  if (req.url === '/healthz') return void res.end('ok');
  relay(req, res).catch(() => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
});
server.listen(Number(values.port), '127.0.0.1', () => console.log(`minimal relay listening on ${values.port}`));
