import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';
import type { ResolvedItem } from '../input-items';
import type { OutputItem, ResponseObject } from '../wire/responses-types';

/** Who may read a stored response: the API key in managed mode, else the accounts that asked for it. */
export interface ResponseOwner {
  /** The API key's hash in managed mode; null where the accounts themselves are the credential. */
  caller: string | null;
  accountIds: readonly string[];
}

export interface StoredResponse {
  owner: ResponseOwner;
  response: ResponseObject;
  /** The conversation up to this response, its output included (instructions excluded: they do not carry over). */
  history: readonly ResolvedItem[];
}

/**
 * Responses kept for `GET /v1/responses/{id}`, `previous_response_id` and `item_reference`: in memory, or
 * in Redis with `REDIS_URL`. Ownership is the caller's to check: the store answers by id alone. Reads
 * that cannot reach the store reject with `responseStoreUnavailableError()`: "not found" would start a
 * client's conversation afresh without telling it.
 */
export abstract class ResponseStore {
  abstract get(id: string): Promise<StoredResponse | undefined>;
  /** Never rejects: a response that cannot be kept is logged, and its answer goes out all the same. */
  abstract save(record: StoredResponse): Promise<void>;
  /** True when there was one to delete. */
  abstract delete(id: string): Promise<boolean>;
  /** An output item of a stored response, by the item's id, with its response. */
  abstract findItem(itemId: string): Promise<{ record: StoredResponse; item: OutputItem } | undefined>;
}

/** A 503 the client may retry: the stored responses cannot be read right now. */
export function responseStoreUnavailableError(): ApiError {
  return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'The response store is unavailable; try again.', {
    code: 'response_store_unavailable',
    retryAfterSec: 1,
  });
}
