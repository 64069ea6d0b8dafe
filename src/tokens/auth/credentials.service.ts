import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { normalizeIp } from '@nestjs/throttler';
import type { Request } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../../common/errors/api-error';
import { tokensConfig } from '../../config/tokens.config';
import { upstreamConfig, type UpstreamConfig } from '../../config/upstream.config';
import { Account, createAccount } from '../pool/account';
import { parseTokenList } from './token-syntax';

/**
 * - `direct`: the client's `Bearer T1,T2` (or `x-api-key`) are the accounts of its request.
 * - `managed`: clients present one of API_KEYS; the accounts are DEEPSEEK_TOKENS.
 * - `open`: DEEPSEEK_TOKENS without API_KEYS, the old server's DEEP_SEEK_CHAT_AUTHORIZATION behaviour:
 *   whatever the client sends, the server's accounts answer (clients often send a dummy key).
 * With UPSTREAM_MODE=api the official API's keys answer: `managed` with API_KEYS, else `open`; the web
 * accounts are not needed.
 */
export type CredentialsMode = 'direct' | 'managed' | 'open';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : undefined;
}

/** The credential a client presented: `Authorization` (Bearer optional, as the old server allowed), else `x-api-key`. */
function presentedCredential(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headerValue(headers, 'authorization');
  if (authorization !== undefined) {
    const bearer = /^bearer(?:\s+(.*))?$/is.exec(authorization);
    const value = (bearer ? (bearer[1] ?? '') : authorization).trim();
    if (value) return value;
  }
  return headerValue(headers, 'x-api-key');
}

@Injectable()
export class CredentialsService {
  readonly mode: CredentialsMode;
  private readonly serverAccounts: readonly Account[];
  private readonly keyDigests: readonly Buffer[];

  constructor(
    @Inject(tokensConfig.KEY) config: ConfigType<typeof tokensConfig>,
    @Optional() @Inject(upstreamConfig.KEY) upstream: Pick<UpstreamConfig, 'mode'> | null = null,
  ) {
    this.serverAccounts = CredentialsService.serverAccountsOf(config.serverTokens);
    this.keyDigests = config.apiKeys.map(digest);
    const serverSide = this.serverAccounts.length > 0 || upstream?.mode === 'api';
    this.mode = this.keyDigests.length > 0 ? 'managed' : serverSide ? 'open' : 'direct';
    if (this.mode === 'managed' && !serverSide) {
      throw new Error('API_KEYS is set but DEEPSEEK_TOKENS is empty: managed mode needs server-side accounts.');
    }
  }

  /** How many accounts DEEPSEEK_TOKENS holds (none in direct mode). */
  get serverAccountCount(): number {
    return this.serverAccounts.length;
  }

  /**
   * The accounts a request may use, or an OpenAI 401 (missing or wrong key, no or malformed tokens).
   * Messages never contain a token or a key.
   */
  resolve(headers: IncomingHttpHeaders): Account[] {
    switch (this.mode) {
      case 'managed':
        this.authenticateClient(headers);
        return [...this.serverAccounts];
      case 'open':
        return [...this.serverAccounts];
      case 'direct':
        return this.clientAccounts(headers);
    }
  }

  /** The server's own accounts (DEEPSEEK_TOKENS); empty in pass-through mode. */
  get poolAccounts(): readonly Account[] {
    return this.serverAccounts;
  }

  /**
   * The header-only part of `resolve`, for a middleware that runs before the body is read: throws the
   * same 401 (managed: no known key; direct: no well-formed token list), builds no account.
   */
  precheck(headers: IncomingHttpHeaders): void {
    switch (this.mode) {
      case 'managed':
        this.authenticateClient(headers);
        return;
      case 'open':
        return;
      case 'direct':
        this.clientTokens(headers);
        return;
    }
  }

  /**
   * Who a request counts against, for rate limits: its API key (by hash) in managed mode, else its
   * address (IPv6 by /64; behind a proxy only as TRUST_PROXY allows).
   */
  clientIdOf(request: Request): string {
    const keyId = this.clientKeyId(request.headers);
    return keyId !== undefined ? `key:${keyId}` : `ip:${normalizeIp(request.ip ?? request.socket.remoteAddress ?? '')}`;
  }

  /** In managed mode, the SHA-256 (hex) of the known API key the request carries; otherwise undefined. */
  clientKeyId(headers: IncomingHttpHeaders): string | undefined {
    if (this.mode !== 'managed') return undefined;
    const presented = presentedCredential(headers);
    return presented !== undefined && this.isKnownKey(presented) ? digest(presented).toString('hex') : undefined;
  }

  /** In managed mode, throws a 401 unless the request carries one of API_KEYS; otherwise a no-op. */
  authenticateClient(headers: IncomingHttpHeaders): void {
    if (this.mode !== 'managed') return;
    const presented = presentedCredential(headers);
    if (presented === undefined) {
      throw ApiError.unauthorized(
        'You did not provide an API key. Send it as `Authorization: Bearer YOUR_KEY` or `x-api-key: YOUR_KEY`.',
      );
    }
    if (!this.isKnownKey(presented)) throw ApiError.unauthorized('Incorrect API key provided.');
  }

  private isKnownKey(presented: string): boolean {
    const candidate = digest(presented);
    // Every key is compared, so the time taken does not tell which one (or how much of one) matched.
    let matched = false;
    for (const key of this.keyDigests) matched = timingSafeEqual(candidate, key) || matched;
    return matched;
  }

  private clientAccounts(headers: IncomingHttpHeaders): Account[] {
    return this.clientTokens(headers).map(createAccount);
  }

  private clientTokens(headers: IncomingHttpHeaders): string[] {
    const presented = presentedCredential(headers);
    if (presented === undefined) {
      throw ApiError.unauthorized(
        'You did not provide a DeepSeek token. Send your chat.deepseek.com userToken values as `Authorization: Bearer TOKEN1,TOKEN2`.',
      );
    }
    const parsed = parseTokenList(presented);
    if (!parsed.ok) throw ApiError.unauthorized(`Invalid DeepSeek token list: ${parsed.problem}.`);
    return parsed.tokens;
  }

  private static serverAccountsOf(tokens: readonly string[]): Account[] {
    if (tokens.length === 0) return [];
    // The per-request cap is for client input; an operator may configure as many accounts as they own.
    const parsed = parseTokenList(tokens.join(','), Number.POSITIVE_INFINITY);
    if (!parsed.ok) throw new Error(`DEEPSEEK_TOKENS (or DEEP_SEEK_CHAT_AUTHORIZATION): ${parsed.problem}.`);
    return parsed.tokens.map(createAccount);
  }
}
