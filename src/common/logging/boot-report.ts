import type { CredentialsMode } from '../../tokens/auth/credentials.service';

/** What `npm start` says it is doing, in one line. */
export interface BootFacts {
  mode: CredentialsMode;
  poolAccounts: number;
  host: string;
  port: number;
  upstream: string;
}

const MODE_NAMES: Record<CredentialsMode, string> = { direct: 'pass-through', managed: 'managed', open: 'open' };

/** The boot line's fields, for the JSON format; `bootLine` says the same in words. */
export function bootFields(facts: BootFacts): Record<string, string | number> {
  return {
    mode: MODE_NAMES[facts.mode],
    pool_accounts: facts.poolAccounts,
    address: addressOf(facts.host, facts.port),
    upstream: withoutCredentials(facts.upstream),
  };
}

/** `Listening on http://0.0.0.0:8000 in pass-through mode with 0 pool accounts; upstream https://chat.deepseek.com` */
export function bootLine(facts: BootFacts): string {
  const { mode, address, upstream } = bootFields(facts);
  const accounts = `${facts.poolAccounts} pool account${facts.poolAccounts === 1 ? '' : 's'}`;
  return `Listening on ${address} in ${mode} mode with ${accounts}; upstream ${upstream}`;
}

/** Why the server could not listen, in a sentence that names the setting to change; undefined when unknown. */
export function listenProblem(error: unknown, host: string, port: number): string | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use on ${host}; set PORT to another port`;
    case 'EACCES':
      return `this process may not listen on port ${port} on ${host} (ports below 1024 need privileges); set PORT to another port`;
    case 'EADDRNOTAVAIL':
      return `HOST ${host} is not an address of this machine; set HOST to one of its addresses, or 0.0.0.0 for all of them`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST ${host} does not resolve to an address; set HOST to an IP address or a known host name`;
    default:
      return undefined;
  }
}

function addressOf(host: string, port: number): string {
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.href.replace(/\/$/, '');
}
