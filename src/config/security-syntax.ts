import { isIP } from 'node:net';

/**
 * The syntax of the security settings (docs/security.md), shared by the boot-time validation in
 * environment.ts and the parsing in security.config.ts. Each parser returns null on a bad value.
 */

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `8388608`, `512kb`, `20mb`, `1.5gb` (1024-based, as Express' body parser reads them) → bytes. */
export function parseByteSize(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!match) return null;
  const bytes = Math.floor(Number(match[1]) * BYTE_UNITS[(match[2] ?? 'b').toLowerCase()]);
  return bytes > 0 ? bytes : null;
}

/** Express' `trust proxy`: off, a number of proxy hops, or the proxies' addresses (CIDR and its named ranges allowed). */
export type TrustProxySetting = false | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export function parseTrustProxy(text: string): TrustProxySetting | null {
  const value = text.trim().toLowerCase();
  if (value === '' || value === 'false') return false;
  // `true` would take any client's X-Forwarded-For at its word: every client could pick its own IP.
  if (value === 'true') return null;
  if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const entries = splitEntries(value);
  return entries.length > 0 && entries.every(isProxyAddress) ? entries : null;
}

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** One `ALLOWED_HOSTS` entry: a host name (or IP) and, when given, the one port it is allowed with. */
export interface HostEntry {
  hostname: string;
  port: string | null;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `example.com`, `example.com:8443`, `127.0.0.1:8000`, `[::1]:8000` (also a `Host` header's value); lowercased. */
export function parseHostEntry(text: string): HostEntry | null {
  const value = text.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(value);
  if (bracketed) return isIP(bracketed[1]) === 6 ? { hostname: `[${bracketed[1]}]`, port: bracketed[2] ?? null } : null;
  const plain = /^([^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (!plain) return null;
  const hostname = plain[1].replace(/\.$/, '');
  return HOSTNAME.test(hostname) || isIP(hostname) === 4 ? { hostname, port: plain[2] ?? null } : null;
}

export function parseHostList(text: string): HostEntry[] | null {
  const entries = splitEntries(text).map(parseHostEntry);
  return entries.length > 0 && entries.every((entry) => entry !== null) ? entries : null;
}

/** `*`, or the exact origins a browser sends (`https://app.example.com`, `http://localhost:3000`). */
export type CorsOrigins = '*' | string[];

export function parseCorsOrigins(text: string): CorsOrigins | null {
  const entries = splitEntries(text);
  if (entries.length === 1 && entries[0] === '*') return '*';
  const origins = entries.map((entry) => entry.replace(/\/$/, '').toLowerCase());
  const valid = origins.length > 0 && origins.every((origin) => /^[a-z][a-z0-9+.-]*:\/\/[^\s/?#*,]+$/.test(origin));
  return valid ? origins : null;
}

function splitEntries(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}
