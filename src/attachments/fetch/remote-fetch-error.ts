import { ApiError } from '../../common/errors/api-error';

export type RemoteFetchReason =
  | 'bad_url'
  | 'forbidden_address'
  | 'unreachable'
  | 'timeout'
  | 'too_many_redirects'
  | 'bad_status'
  | 'bad_type'
  | 'too_large';

/**
 * Why a client's URL could not be fetched. The message is safe to show the client: it names the host at
 * most, never the path, query or credentials.
 */
export class RemoteFetchError extends Error {
  override readonly name = 'RemoteFetchError';

  constructor(
    readonly reason: RemoteFetchReason,
    message: string,
  ) {
    super(message);
  }
}

/** The 400 a client gets for `error`, naming the field that held the URL (`messages[0].content[1].image_url.url`). */
export function remoteFetchApiError(error: RemoteFetchError, param: string): ApiError {
  return ApiError.badRequest(
    `Could not fetch the URL in '${param}': ${error.message}`,
    param,
    `attachment_${error.reason}`,
  );
}
