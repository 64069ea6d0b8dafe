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
 * Responses kept for `GET /v1/responses/{id}`, `previous_response_id` and `item_reference`. In memory now;
 * a Redis implementation binds to the same token later, hence the async signatures. Ownership is the
 * caller's to check: the store answers by id alone.
 */
export abstract class ResponseStore {
  abstract get(id: string): Promise<StoredResponse | undefined>;
  abstract save(record: StoredResponse): Promise<void>;
  /** True when there was one to delete. */
  abstract delete(id: string): Promise<boolean>;
  /** An output item of a stored response, by the item's id, with its response. */
  abstract findItem(itemId: string): Promise<{ record: StoredResponse; item: OutputItem } | undefined>;
}
