import {
  openRequest,
  rawRequest,
  type RawExchange,
  type RawRequestOptions,
  type RawResponse,
} from './http/raw-request';

/** `POST <baseURL>/chat/completions`, `baseURL` being the gateway's OpenAI base URL (`http://…/v1`). */
export function postChat(
  baseURL: string,
  body: string | Buffer | object,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  return rawRequest(`${baseURL}/chat/completions`, body, options);
}

/** A streaming chat request (`stream: true` is added) that the test watches as it arrives and can drop at any point. */
export function streamChat(baseURL: string, body: object, tokens: readonly string[]): RawExchange {
  return openRequest(`${baseURL}/chat/completions`, { ...body, stream: true }, { tokens });
}

/** A minimal valid chat request: deepseek-chat, one user message; `overrides` are merged in. */
export const chatBody = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'deepseek-chat',
  messages: [{ role: 'user', content: 'Hello there' }],
  ...overrides,
});

/** A chunk or completion without what differs between two runs of the same request (`id`, `created`). */
export function withoutIdentity<T extends { id?: unknown; created?: unknown }>(value: T): Omit<T, 'id' | 'created'> {
  const { id: _id, created: _created, ...rest } = value;
  return rest;
}
