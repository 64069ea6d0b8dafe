import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseConfigPatch } from './config';
import { readBody, sendJson } from './http-responses';
import type { FakeDeepSeek } from './server';
import type { FaultSpec } from './types';

/**
 * The fake's own control API, for harnesses that run it as a separate process:
 * `GET/POST /__fake__/config`, `GET/POST /__fake__/faults`, `POST /__fake__/reset`, `GET /__fake__/state`.
 */
export async function handleControl(fake: FakeDeepSeek, req: IncomingMessage, res: ServerResponse, path: string) {
  const route = `${req.method} ${path}`;
  try {
    switch (route) {
      case 'GET /__fake__/config':
        return sendJson(res, 200, configView(fake));
      case 'POST /__fake__/config':
        fake.configure(parseConfigPatch(await readJson(req)));
        return sendJson(res, 200, configView(fake));
      case 'GET /__fake__/faults':
        return sendJson(res, 200, fake.state().faults);
      case 'POST /__fake__/faults': {
        const body = await readJson(req);
        const specs = (Array.isArray(body) ? body : [body]) as FaultSpec[];
        // One call per spec: spreading a list of any length into addFault() overflows the stack.
        const added = specs.flatMap((spec) => fake.addFault(spec));
        return sendJson(res, 200, { added, queued: fake.state().faults.queued });
      }
      case 'POST /__fake__/reset':
        fake.reset();
        return sendJson(res, 200, { ok: true });
      case 'GET /__fake__/state':
        return sendJson(res, 200, fake.state());
      default:
        return sendJson(res, 404, { error: `no control route ${route}` });
    }
  } catch (error) {
    sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const raw = await readBody(req);
  return raw.length === 0 ? {} : (JSON.parse(raw.toString('utf8')) as unknown);
}

function configView(fake: FakeDeepSeek) {
  const accounts = Object.fromEntries(
    Object.entries(fake.state().accounts).map(([token, a]) => [token, { mutedUntil: a.mutedUntil, format: a.format }]),
  );
  return { ...fake.config, accounts };
}
