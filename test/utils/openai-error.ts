import type { RawResponse } from './http/raw-request';

/** The OpenAI error body (docs/api.md §4.1): all four keys, message a string. */
export function expectOpenAiError(response: RawResponse, status: number, match: Record<string, unknown> = {}): void {
  expect({ status: response.status, type: response.headers['content-type'] }).toEqual({
    status,
    type: expect.stringMatching(/^application\/json/),
  });
  expectOpenAiErrorBody(response.json);
  expect(response.json.error).toMatchObject(match);
}

/** `{error:{message,type,param,code}}` and nothing else; `param` and `code` are strings or null. */
export function expectOpenAiErrorBody(body: any): void {
  const nullableString = (value: unknown) => (value === null ? null : expect.any(String));
  expect(body).toEqual({
    error: {
      message: expect.any(String),
      type: expect.any(String),
      param: nullableString(body?.error?.param),
      code: nullableString(body?.error?.code),
    },
  });
}
