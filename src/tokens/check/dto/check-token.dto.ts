import { Injectable, PipeTransform } from '@nestjs/common';
import { ApiError } from '../../../common/errors/api-error';
import { invalidValue, isObject, requiredString, tooLong } from '../../../common/http/json-checks';
import { MAX_TOKEN_LENGTH, TOKEN_PATTERN } from '../../auth/token-syntax';

/** The `POST /token/check` body, checked by hand: only `token` is read, nothing else is walked. */
export interface CheckTokenRequest {
  token: string;
}

/** Throws an OpenAI 400 naming `token`; never echoes it. */
export function parseCheckTokenRequest(body: unknown): CheckTokenRequest {
  if (!isObject(body)) throw ApiError.badRequest('The request body must be a JSON object.', null, 'invalid_type');
  const token = requiredString(body, 'token', 'token').trim();
  if (token === '') throw invalidValue('token', "Invalid 'token': empty string. Expected a DeepSeek userToken.");
  if (token.length > MAX_TOKEN_LENGTH) throw tooLong('token', MAX_TOKEN_LENGTH, token.length);
  if (!TOKEN_PATTERN.test(token)) {
    throw invalidValue('token', "Invalid 'token': expected printable ASCII without spaces or commas.");
  }
  return { token };
}

@Injectable()
export class CheckTokenRequestPipe implements PipeTransform<unknown, CheckTokenRequest> {
  transform(body: unknown): CheckTokenRequest {
    return parseCheckTokenRequest(body);
  }
}
