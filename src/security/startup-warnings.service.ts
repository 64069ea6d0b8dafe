import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { isIP } from 'node:net';
import { appConfig, type AppConfig } from '../config/app.config';
import { upstreamConfig, type UpstreamConfig } from '../config/upstream.config';
import { CredentialsService, type CredentialsMode } from '../tokens/auth/credentials.service';

export interface ExposureFacts {
  mode: CredentialsMode;
  host: string;
  port: number;
  serverAccountCount: number;
  /** UPSTREAM_MODE=api: the official API's paid keys answer every request. */
  apiUpstream?: boolean;
}

/** Whether HOST keeps the server to this machine (`localhost`, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** What a boot must say about who can use this server; empty when only its owner can. */
export function exposureWarnings({ mode, host, port, serverAccountCount, apiUpstream }: ExposureFacts): string[] {
  switch (mode) {
    case 'open':
      if (apiUpstream) {
        return [
          'UPSTREAM_MODE=api without API_KEYS: anyone who can reach this server spends the balance of its official API keys. Set API_KEYS to require a key.',
        ];
      }
      return [
        `DEEPSEEK_TOKENS is set without API_KEYS: anyone who can reach this server uses its ${serverAccountCount} account(s). Set API_KEYS to require a key.`,
      ];
    case 'direct':
      if (isLoopbackHost(host)) return [];
      return [
        `Pass-through mode on HOST ${host}: anyone who can reach port ${port} can use this server as a relay for their own DeepSeek tokens. To restrict it, set API_KEYS and DEEPSEEK_TOKENS (managed mode), or HOST=127.0.0.1 for clients on this machine only.`,
      ];
    case 'managed':
      return [];
  }
}

/** Logs the exposure warnings once, when the application has started. */
@Injectable()
export class StartupWarningsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Security');

  constructor(
    private readonly credentials: CredentialsService,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    @Inject(upstreamConfig.KEY) private readonly upstream: UpstreamConfig,
  ) {}

  onApplicationBootstrap(): void {
    const facts = {
      mode: this.credentials.mode,
      host: this.config.host,
      port: this.config.port,
      serverAccountCount: this.credentials.serverAccountCount,
      apiUpstream: this.upstream.mode === 'api',
    };
    for (const warning of exposureWarnings(facts)) this.logger.warn(warning);
  }
}
