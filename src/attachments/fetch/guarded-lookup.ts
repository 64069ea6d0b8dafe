import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { RemoteFetchError } from './remote-fetch-error';

/** Resolves a host name to every address it has (the fetcher's seam for tests). */
export type Resolve = (hostName: string) => Promise<readonly LookupAddress[]>;

export const resolveWithDns: Resolve = (hostName) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostName, { all: true, order: 'verbatim' }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

/**
 * A `lookup` for `http.request` that hands the socket only addresses `isForbidden` lets through, so the
 * check applies to the address actually connected to: the answer cannot change between a check and the
 * connect (DNS rebinding). A name with some forbidden addresses keeps its allowed ones; a name with none
 * fails with `forbidden_address`. Node calls it for host names only, never for IP literals.
 */
export function guardedLookup(resolve: Resolve, isForbidden: (ip: string) => boolean): LookupFunction {
  return (hostName, options: LookupOptions, callback) => {
    resolve(hostName).then(
      (resolved) => {
        const wanted = resolved.filter((entry) => !options.family || entry.family === options.family);
        const allowed = wanted.filter((entry) => !isForbidden(entry.address));
        if (allowed.length === 0) {
          const error =
            wanted.length === 0
              ? Object.assign(new Error(`${hostName} has no address`), { code: 'ENOTFOUND' })
              : new RemoteFetchError('forbidden_address', forbiddenMessage(hostName));
          callback(error, '', 0);
        } else if (options.all) {
          (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, allowed);
        } else {
          callback(null, allowed[0].address, allowed[0].family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

export function forbiddenMessage(host: string): string {
  return `the host ${host} is a private, local or reserved address, which this server does not fetch from.`;
}
