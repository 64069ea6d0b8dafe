import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appConfig, type AppConfig } from '../config/app.config';
import { CONSOLE_DIR } from './console-files';

/**
 * The page's own files only: no inline script or style, no other origin (the status and the playground
 * call this server's `/admin/status` and `/v1/*`). `data:` images for the favicon only.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
};

interface ConsoleFile {
  type: string;
  body: string;
}

const read = (name: string, type: string): ConsoleFile => ({
  type,
  body: readFileSync(join(CONSOLE_DIR, name), 'utf8'),
});

/**
 * `GET /` and `/console`: the operator console (public/console/), static files read once at boot. The
 * server never writes a token, key or account into them: the page asks for ADMIN_TOKEN and reads
 * `GET /admin/status` with it. Without ADMIN_TOKEN, a welcome page that says how to enable the console.
 */
@Controller()
export class ConsoleController {
  private readonly page: ConsoleFile;
  private readonly script: ConsoleFile | null;
  private readonly style: ConsoleFile;

  constructor(@Inject(appConfig.KEY) config: AppConfig) {
    const enabled = Boolean(config.adminToken);
    this.page = read(enabled ? 'index.html' : 'welcome.html', 'text/html; charset=utf-8');
    this.script = enabled ? read('console.js', 'text/javascript; charset=utf-8') : null;
    this.style = read('console.css', 'text/css; charset=utf-8');
  }

  @Get(['/', 'console'])
  index(@Res() res: Response): void {
    send(res, this.page);
  }

  @Get('console/console.js')
  js(@Res() res: Response): void {
    if (!this.script) throw new NotFoundException();
    send(res, this.script);
  }

  @Get('console/console.css')
  css(@Res() res: Response): void {
    send(res, this.style);
  }
}

function send(res: Response, file: ConsoleFile): void {
  for (const [name, value] of Object.entries(HEADERS)) res.setHeader(name, value);
  res.type(file.type).send(file.body);
}
