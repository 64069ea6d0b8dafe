import OpenAI from 'openai';
import { type FakeOfficialApi, startFakeOfficialApi } from './index';
import { json, post, sdk, user } from './spec-helpers';

const CHAT = { model: 'deepseek-chat', messages: user('hi') };
const body = (message: string, type = 'invalid_request_error', code = 'invalid_request_error') => ({
  error: { message, type, param: null, code },
});

describe('fake official API: errors, faults and balance', () => {
  let fake: FakeOfficialApi;

  beforeAll(async () => {
    fake = await startFakeOfficialApi({ keys: ['sk-a', 'sk-b'], balance: { 'sk-b': 0 } });
  });
  beforeEach(() => fake.reset());
  afterAll(() => fake.close());

  it('should refuse an unknown or missing key with 401 Authentication Fails', async () => {
    const res = await post(fake, CHAT, 'sk-zzz');
    expect(res.status).toBe(401);
    expect(await json(res)).toEqual(body('Authentication Fails', 'authentication_error'));
    const none = await fetch(`${fake.url}/models`);
    expect(none.status).toBe(401);
    await expect(sdk(fake, 'sk-zzz').models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(fake.lastRequest()?.keyId).toMatch(/^key-[0-9a-f]{8}$/);
    expect(JSON.stringify(fake.requests())).not.toContain('sk-zzz');
  });

  it('should answer 402 to a key without balance until the balance is set, and report it', async () => {
    const balance = async (key: string) =>
      json(await fetch(`${fake.url}/user/balance`, { headers: { authorization: `Bearer ${key}` } }));
    expect(await balance('sk-b')).toMatchObject({ is_available: false, balance_infos: [{ total_balance: '0.00' }] });
    for (let i = 0; i < 2; i++) {
      const res = await post(fake, CHAT, 'sk-b');
      expect(res.status).toBe(402);
      expect(await json(res)).toEqual(body('Insufficient Balance', 'unknown_error'));
    }
    fake.setBalance('sk-b', 10);
    expect((await post(fake, CHAT, 'sk-b')).status).toBe(200);
    expect(await balance('sk-b')).toEqual({
      is_available: true,
      balance_infos: [{ currency: 'CNY', total_balance: '10.00', granted_balance: '0.00', topped_up_balance: '10.00' }],
    });
  });

  it('should answer 400 Model Not Exist to an unknown model', async () => {
    const res = await post(fake, { ...CHAT, model: 'gpt-4o' });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual(body('Model Not Exist'));
    await expect(sdk(fake).chat.completions.create({ ...CHAT, model: 'gpt-4o' })).rejects.toBeInstanceOf(
      OpenAI.BadRequestError,
    );
  });

  it('should answer 400 Invalid Format to malformed JSON', async () => {
    const res = await post(fake, '{"model": "deepseek-chat",');
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual(body('Invalid Format'));
    expect(fake.lastRequest()?.body).toBe('{"model": "deepseek-chat",');
  });

  it('should answer 400 to json_object without the word json in the messages', async () => {
    const res = await post(fake, { ...CHAT, response_format: { type: 'json_object' } });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining("'json'"),
    });
  });

  it.each([
    ['no messages', { model: 'deepseek-chat' }, 'missing field `messages`'],
    ['no model', { messages: user('x') }, 'missing field `model`'],
    ['a numeric model', { ...CHAT, model: 7 }, 'model'],
    ['a string temperature', { ...CHAT, temperature: 'hot' }, 'temperature'],
    ['a fractional max_tokens', { ...CHAT, max_tokens: 1.5 }, 'max_tokens'],
    ['a numeric stop', { ...CHAT, stop: 3 }, 'stop'],
    ['an unknown role', { ...CHAT, messages: [{ role: 'robot', content: 'x' }] }, 'role'],
    ['a tool message without tool_call_id', { ...CHAT, messages: [{ role: 'tool', content: 'x' }] }, 'tool_call_id'],
    ['a bad response_format', { ...CHAT, response_format: { type: 'xml' } }, 'response_format'],
    ['a tool without a name', { ...CHAT, tools: [{ type: 'function', function: {} }] }, 'tools[0]'],
    ['a bad tool_choice', { ...CHAT, tool_choice: 'always' }, 'tool_choice'],
    ['a stream that is a string', { ...CHAT, stream: 'yes' }, 'stream'],
  ])('should answer 422 to %s', async (_name, request, mentions) => {
    const res = await post(fake, request);
    expect(res.status).toBe(422);
    const error = (await json(res)).error;
    expect(error).toMatchObject({ type: 'invalid_request_error', param: null, code: 'invalid_request_error' });
    expect(error.message).toContain(mentions);
  });

  it.each([
    [429, 'Rate Limit Reached', 'rate_limit_error', 'rate_limit_exceeded'],
    [500, 'Server Error', 'server_error', 'server_error'],
    [503, 'Server Overloaded', 'server_error', 'server_error'],
    [422, 'Invalid Parameters', 'invalid_request_error', 'invalid_request_error'],
    [402, 'Insufficient Balance', 'unknown_error', 'invalid_request_error'],
  ] as const)('should answer a %s fault once with its body', async (status, message, type, code) => {
    fake.addFault({ status });
    const res = await post(fake, CHAT);
    expect(res.status).toBe(status);
    expect(await json(res)).toEqual(body(message, type, code));
    expect((await post(fake, CHAT)).status).toBe(200);
  });

  it('should send retry-after with a 429, hit only the fault key, and count times', async () => {
    fake.addFault({ status: 429, key: 'sk-a', times: 2, retryAfterSec: 2 });
    fake.setBalance('sk-b', 1);
    expect((await post(fake, { ...CHAT, stream: true }, 'sk-b')).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await post(fake, CHAT);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
    }
    expect(fake.state().faults).toEqual([]);
    expect((await post(fake, CHAT)).status).toBe(200);
  });

  it('should let the SDK retry a 500 and succeed', async () => {
    fake.addFault({ status: 500, times: 1 });
    const client = new OpenAI({ apiKey: 'sk-a', baseURL: fake.url, maxRetries: 1 });
    const completion = await client.chat.completions.create(CHAT);
    expect(completion.choices[0].message.content).toBe('You said: hi');
    expect(fake.state().keys['sk-a'].requests).toBe(2);
  });

  it('should answer 404 in the error shape to an unknown path', async () => {
    const res = await fetch(`${fake.url}/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-a' } });
    expect(res.status).toBe(404);
    expect((await json(res)).error.message).toBe('Not Found');
  });
});
