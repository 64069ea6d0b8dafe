import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { JsonLogCapture } from '../../../test/utils/log-capture';
import { requestIdMiddleware } from '../http/request-id.middleware';
import { AppLogger } from './app-logger';
import { pinoLevelFor, pinoOptionsFor } from './pino-options';
import { exposeRequestLogger } from './request-logger';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function appLogger(capture: JsonLogCapture, logLevel = 'info') {
  const root = pino(pinoOptionsFor({ logLevel, logFormat: 'json' }), capture);
  return { root, logger: new AppLogger(root) };
}

describe('AppLogger', () => {
  it('should write one JSON object per line with an ISO time, the level by name and the context', () => {
    const capture = new JsonLogCapture();
    const logger = capture.logger();

    logger.log('hello', 'Greeter');
    logger.verbose('details', 'Greeter');
    logger.error('closing failed', 'Error: boom\n    at somewhere (x.ts:1:1)', 'Bootstrap');

    const [info, verbose, error] = capture.entries();
    expect(info).toEqual({
      level: 'info',
      time: expect.stringMatching(ISO_TIME),
      pid: process.pid,
      context: 'Greeter',
      msg: 'hello',
    });
    expect(verbose).toMatchObject({ level: 'verbose', msg: 'details' });
    expect(error).toMatchObject({
      level: 'error',
      context: 'Bootstrap',
      err: { stack: expect.stringContaining('at somewhere') },
    });
  });

  it("should write Nest's module-by-module boot lines at debug level only", () => {
    const quiet = new JsonLogCapture();
    const { logger } = appLogger(quiet, 'info');
    for (const context of ['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']) {
      logger.log('boot chatter', context);
    }
    logger.log('Listening on http://127.0.0.1:8000', 'Bootstrap');
    expect(quiet.entries().map((entry) => entry.context)).toEqual(['Bootstrap']);

    const debug = new JsonLogCapture();
    appLogger(debug, 'debug').logger.log('Mapped {/ping, GET} route', 'RouterExplorer');
    expect(debug.entries()).toEqual([expect.objectContaining({ level: 'debug', context: 'RouterExplorer' })]);
  });

  it('should censor credential headers and mask credential-looking values in any line', () => {
    const capture = new JsonLogCapture();
    const logger = capture.logger();
    const headers = { authorization: 'Bearer tok-hdr-1', 'x-api-key': 'sk-hdr-2', cookie: 'ds=tok-hdr-3', host: 'a' };

    logger.warn({ headers, req: { headers } }, 'Upstream');
    logger.warn('upstream said {"token":"tok-msg-4"} and userToken=tok-msg-5', 'Upstream');

    const [objects, text] = capture.entries();
    expect(objects.headers).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
      host: 'a',
    });
    expect(objects.req).toEqual({ headers: objects.headers });
    expect(text.msg).toBe('upstream said {"token":"[redacted]"} and userToken=[redacted]');
    expect(capture.text()).not.toMatch(/tok-hdr|sk-hdr|tok-msg/);
  });

  it('should give each request a logger bound to its request id (req.log)', async () => {
    const capture = new JsonLogCapture();
    const { root, logger } = appLogger(capture);
    const app = express();
    app.use(requestIdMiddleware);
    exposeRequestLogger(app, root);
    app.get('/work', (req, res) => {
      req.log.warn('with the request at hand');
      res.send('ok');
    });

    await request(app).get('/work').set('x-request-id', 'req-ctx-1').expect(200);
    logger.log('outside any request', 'Worker');

    expect(capture.entries()).toEqual([
      expect.objectContaining({ request_id: 'req-ctx-1', msg: 'with the request at hand' }),
      expect.not.objectContaining({ request_id: expect.anything() }),
    ]);
    expect(capture.lines[0]).not.toContain('"req"');
  });
});

describe('pinoLevelFor', () => {
  it.each([
    ['log', 'info'],
    ['info', 'info'],
    ['verbose', 'trace'],
    ['debug', 'debug'],
    ['fatal', 'fatal'],
  ])('LOG_LEVEL=%s → %s', (level, pinoLevel) => {
    expect(pinoLevelFor(level)).toBe(pinoLevel);
  });

  it('should keep the levels below LOG_LEVEL out', () => {
    const capture = new JsonLogCapture();
    const { logger } = appLogger(capture, 'warn');
    logger.log('no', 'X');
    logger.debug('no', 'X');
    logger.warn('yes', 'X');
    expect(capture.entries().map((entry) => entry.msg)).toEqual(['yes']);
  });
});
