import OpenAI from 'openai';
import type { FakeOfficialApi } from './server';

export const sdk = (fake: FakeOfficialApi, key = 'sk-a', path = ''): OpenAI =>
  new OpenAI({ apiKey: key, baseURL: `${fake.url}${path}`, maxRetries: 0 });

export function post(fake: FakeOfficialApi, body: unknown, key = 'sk-a', init: RequestInit = {}): Promise<Response> {
  return fetch(`${fake.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** The JSON of every `data:` frame but `[DONE]`. */
export function dataFrames(text: string): any[] {
  return text
    .split('\n\n')
    .filter((f) => f.startsWith('data: ') && f !== 'data: [DONE]')
    .map((f) => JSON.parse(f.slice('data: '.length)));
}

export const deltas = (text: string): any[] => dataFrames(text).flatMap((c) => c.choices.map((ch: any) => ch.delta));

export const user = (content: string) => [{ role: 'user' as const, content }];

export const json = async (res: Response): Promise<any> => res.json();
