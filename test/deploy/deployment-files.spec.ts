import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { appConfig } from '../../src/config/app.config';
import { parseByteSize, parseTrustProxy } from '../../src/config/security-syntax';
import { chatBodyLimitFor } from '../../src/config/security.config';
import { PROBE_PATHS } from '../../src/security/routes';

/**
 * The deployment files hold together without Docker or Render at hand: the single-instance compose file
 * stays one gateway on port 8000, the replicas file can scale its gateways behind the proxy with Redis,
 * deploy/nginx.conf fits the gateway (port, body limit, streams), and render.yaml's commented-out
 * several-instances lines still make a valid Blueprint once uncommented.
 */

const ROOT = resolve(__dirname, '..', '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

type Service = Record<string, unknown> & {
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  volumes?: string[];
  healthcheck?: unknown;
  image?: string;
  build?: string;
};
const composeServices = (path: string): Record<string, Service> =>
  (parse(read(path)) as { services: Record<string, Service> }).services;

/** The port the Dockerfile exposes (and sets as PORT). */
const containerPort = Number(/^EXPOSE (\d+)$/m.exec(read('Dockerfile'))?.[1]);

/** `30s`, `1m30s` → seconds. */
function durationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+)(h|m|s)/g)];
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1 };
  return parts.reduce((sum, [, value, suffix]) => sum + Number(value) * unit[suffix], 0);
}

/** `${NAME:-default}` → default, as Compose interpolates it when NAME is unset. */
const interpolatedDefault = (value: string): string => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml (one gateway)', () => {
  const services = composeServices('docker-compose.yml');

  it('should run the gateway alone, on port 8000', () => {
    expect(Object.keys(services)).toEqual(['gateway']);
    expect(services.gateway.ports).toEqual([`8000:${containerPort}`]);
    expect(containerPort).toBe(8000);
  });
});

describe('docker-compose.replicas.yml (replicas behind the proxy)', () => {
  const services = composeServices('docker-compose.replicas.yml');
  const single = composeServices('docker-compose.yml').gateway;
  const { gateway, proxy, redis } = services;

  it('should have the gateway, the proxy and Redis', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway', 'proxy', 'redis']);
  });

  it('should let the gateway scale: no host port, no fixed container name', () => {
    expect(gateway.ports).toBeUndefined();
    expect(gateway.container_name).toBeUndefined();
  });

  it('should build and configure the gateway as the single-instance file does', () => {
    for (const key of ['build', 'image', 'env_file', 'stop_grace_period', 'restart']) {
      expect([key, gateway[key]]).toEqual([key, single[key]]);
    }
    expect(durationSeconds(String(gateway.stop_grace_period))).toBeGreaterThan(appConfig().shutdownGraceMs / 1000);
  });

  it('should point the gateway at the Redis service, started and healthy first', () => {
    const url = new URL(gateway.environment?.REDIS_URL ?? '');
    expect(url.protocol).toBe('redis:');
    expect(url.hostname).toBe('redis');
    expect(url.port).toBe('6379');
    expect(gateway.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
    expect(redis.healthcheck).toBeDefined();
    expect(redis.profiles).toBeUndefined();
  });

  it('should trust exactly the one proxy hop by default', () => {
    const value = interpolatedDefault(gateway.environment?.TRUST_PROXY ?? '');
    expect(parseTrustProxy(value)).toBe(1);
  });

  it('should publish port 8000 on the proxy, with the config file of the repository', () => {
    expect(proxy.ports).toEqual(['8000:8000']);
    const mounts = (proxy.volumes ?? []).map((volume) => volume.split(':'));
    expect(mounts).toContainEqual(['./deploy/nginx.conf', '/etc/nginx/nginx.conf', 'ro']);
    for (const [source] of mounts) expect(existsSync(join(ROOT, source))).toBe(true);
  });
});

describe('deploy/nginx.conf', () => {
  const conf = read('deploy/nginx.conf')
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('\n');
  const directive = (name: string): string[] =>
    [...conf.matchAll(new RegExp(`^\\s*${name}\\s+([^;]+);`, 'gm'))].map((m) => m[1].trim());

  it('should listen on the port the compose proxy publishes', () => {
    expect(directive('listen')).toEqual(['8000']);
  });

  it('should find the replicas through Docker DNS, re-resolved, at the gateway service and port', () => {
    expect(directive('resolver')[0]).toMatch(/^127\.0\.0\.11\b.*\bvalid=\d+s\b/);
    const [assignment] = directive('set');
    const [variable, target] = assignment.split(/\s+/);
    expect(directive('proxy_pass')).toEqual([variable]);
    expect(target).toBe(`http://gateway:${containerPort}`);
  });

  it('should pass streams through: unbuffered, HTTP/1.1, long reads, X-Accel-Buffering obeyed', () => {
    expect(directive('proxy_buffering')).toEqual(['off']);
    expect(directive('proxy_http_version')).toEqual(['1.1']);
    expect(durationSeconds(directive('proxy_read_timeout')[0])).toBeGreaterThanOrEqual(300);
    expect(conf).not.toMatch(/proxy_ignore_headers[^;]*X-Accel-Buffering/i);
    expect(conf).not.toMatch(/non_idempotent/);
  });

  it('should append X-Forwarded-For, which TRUST_PROXY=1 reads', () => {
    expect(directive('proxy_set_header')).toContain('X-Forwarded-For $proxy_add_x_forwarded_for');
  });

  it("should accept a body as large as the gateway's default chat body limit", () => {
    const [size] = directive('client_max_body_size');
    expect(parseByteSize(size.replace(/([kmg])$/i, '$1b'))).toBeGreaterThanOrEqual(
      chatBodyLimitFor(appConfig().maxPromptChars),
    );
  });
});

describe('render.yaml', () => {
  type RenderService = {
    type: string;
    name: string;
    healthCheckPath?: string;
    envVars?: { key: string; fromService?: { type: string; name: string; property: string } }[];
    ipAllowList?: unknown[];
    maxmemoryPolicy?: string;
  };
  const servicesOf = (text: string): RenderService[] => (parse(text) as { services: RenderService[] }).services;

  /**
   * render.yaml with its several-instances lines uncommented: each block starts at a `# numInstances:`,
   * `# - key: REDIS_URL` or `# - type: keyvalue` comment and runs on while the comments are indented deeper.
   */
  function withSeveralInstances(text: string): string {
    const lines = text.split('\n');
    let block: RegExp | null = null;
    return lines
      .map((line) => {
        const start = /^(\s*)# ((?:numInstances:|- key: REDIS_URL|- type: keyvalue).*)$/.exec(line);
        if (start) {
          block = start[2].startsWith('- ') ? new RegExp(`^${start[1]}#   (.*)$`) : null;
          return `${start[1]}${start[2]}`;
        }
        const inner = block?.exec(line);
        if (inner) return line.replace('# ', '');
        block = null;
        return line;
      })
      .join('\n');
  }

  it('should run one web service by default, checked on a probe path', () => {
    const services = servicesOf(read('render.yaml'));
    expect(services.map((service) => service.type)).toEqual(['web']);
    expect(PROBE_PATHS.has(services[0].healthCheckPath ?? '')).toBe(true);
  });

  it('should wire REDIS_URL to an internal-only, non-evicting Key Value service once uncommented', () => {
    const text = withSeveralInstances(read('render.yaml'));
    const services = servicesOf(text);
    const web = services.find((service) => service.type === 'web');
    const redisUrl = web?.envVars?.find((variable) => variable.key === 'REDIS_URL');
    expect(redisUrl?.fromService).toEqual({ type: 'keyvalue', name: expect.any(String), property: 'connectionString' });
    const store = services.find((service) => service.name === redisUrl?.fromService?.name);
    expect(store).toMatchObject({ type: 'keyvalue', ipAllowList: [], maxmemoryPolicy: 'noeviction' });
    expect(text).toMatch(/^ {4}numInstances: \d+$/m);
  });
});
