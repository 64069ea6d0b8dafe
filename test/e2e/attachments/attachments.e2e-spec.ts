import { createHash } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import OpenAI from 'openai';
import { startLocalServer, type LocalServer } from '../../utils/attachments/local-server';
import { expectAllIdle } from '../../utils/settle';
import { startStack, type Stack } from '../../utils/stack';
import { onlyUpstreamMessage, upstreamMessages } from '../../utils/upstream-view';

/** The PNG signature and a few bytes: enough for DeepSeek (and the fake) to see an image. */
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from('a tiny picture')]);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const dataUrl = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString('base64')}`;

/** A local web server that answers every path with the PNG. */
const servePng = (): Promise<LocalServer> =>
  startLocalServer('127.0.0.1', (_, response) => {
    response.writeHead(200, { 'content-type': 'image/png' });
    response.end(PNG);
  });

async function rejection(
  promise: Promise<unknown>,
): Promise<{ status?: number; code?: string; param?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status?: number; code?: string; param?: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('images and files reach DeepSeek as uploaded files (e2e)', () => {
  jest.setTimeout(30_000);
  let stack: Stack;
  let images: LocalServer;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-files-a', 'tok-files-b'], fake: { reply: { content: 'I see it.' } } });
    images = await servePng();
  });
  afterAll(async () => {
    await images?.close();
    await stack?.close();
  });
  beforeEach(() => stack.fake.reset());
  afterEach(() => expectAllIdle(stack));

  const fileOf = (id: string) => stack.fake.state().files[id];

  it('should upload an image sent as a data URL to the answering account and reference it', async () => {
    const completion = await stack.openai(['tok-files-a']).chat.completions.create({
      model: 'deepseek-chat',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: dataUrl('image/png', PNG), detail: 'high' } },
          ],
        },
      ],
    });

    expect(completion.choices[0].message.content).toBe('I see it.');
    const message = onlyUpstreamMessage(stack.fake);
    expect(message.refFileIds).toHaveLength(1);
    expect(fileOf(message.refFileIds[0])).toMatchObject({
      account: 'tok-files-a',
      isImage: true,
      sha256: sha256(PNG),
      status: 'SUCCESS',
    });
    expect(message.prompt).toContain('What is in this picture?');
    expect(message.prompt).toMatch(/\[attachment 1: [^\]]+\]/);
  });

  it('should send a PDF file part under its own name', async () => {
    await stack.openai(['tok-files-a']).chat.completions.create({
      model: 'deepseek-chat',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarise the report.' },
            { type: 'file', file: { file_data: dataUrl('application/pdf', PDF), filename: 'report.pdf' } },
          ],
        },
      ],
    });

    const [id] = onlyUpstreamMessage(stack.fake).refFileIds;
    expect(fileOf(id)).toMatchObject({ fileName: 'report.pdf', sha256: sha256(PDF), isImage: false });
  });

  it('should refuse an image URL on a private address without fetching it', async () => {
    const failure = await rejection(
      stack.openai(['tok-files-a']).chat.completions.create({
        model: 'deepseek-chat',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: images.url('/cat.png') } }] }],
      }),
    );

    expect(failure.status).toBe(400);
    expect(failure.code).toBe('attachment_forbidden_address');
    expect(failure.param).toBe('messages[0].content[0]');
    expect(images.requests).toEqual([]);
    expect(upstreamMessages(stack.fake)).toEqual([]);
  });

  it('should not upload the same bytes twice to one account', async () => {
    const ask = (text: string) =>
      stack.openai(['tok-files-a']).chat.completions.create({
        model: 'deepseek-chat',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text },
              { type: 'image_url', image_url: { url: dataUrl('image/png', PNG) } },
            ],
          },
        ],
      });
    await ask('First look.');
    await ask('Second look.');

    const [first, second] = upstreamMessages(stack.fake);
    expect(second.refFileIds).toEqual(first.refFileIds);
    expect(stack.fake.state().requests.upload_file).toBe(1);
  });

  it('should answer 400 when DeepSeek cannot read a file, and give the account back', async () => {
    stack.fake.addFault({ fault: 'file_failed', params: { error_code: 'PARSE_FAILED' } });
    const failure = await rejection(
      stack.openai(['tok-files-a']).chat.completions.create({
        model: 'deepseek-chat',
        messages: [
          {
            role: 'user',
            content: [{ type: 'file', file: { file_data: dataUrl('application/pdf', PDF), filename: 'broken.pdf' } }],
          },
        ],
      }),
    );

    expect(failure.status).toBe(400);
    expect(failure.code).toBe('attachment_unreadable');
    expect(upstreamMessages(stack.fake)).toEqual([]);
  });

  it('should send only the new files when a chat is continued', async () => {
    const client = stack.openai(['tok-files-a']);
    const picture = (bytes: Buffer, text: string): OpenAI.ChatCompletionMessageParam => ({
      role: 'user',
      content: [
        { type: 'text', text },
        { type: 'image_url', image_url: { url: dataUrl('image/png', bytes) } },
      ],
    });
    const second = Buffer.concat([PNG, Buffer.from(' and another one')]);
    const history = [picture(PNG, 'First picture.')];
    const first = await client.chat.completions.create({ model: 'deepseek-chat', messages: history });
    history.push({ role: 'assistant', content: first.choices[0].message.content }, picture(second, 'Second picture.'));
    await client.chat.completions.create({ model: 'deepseek-chat', messages: history });

    const [turn1, turn2] = upstreamMessages(stack.fake);
    expect(turn2).toMatchObject({ sessionId: turn1.sessionId, parentMessageId: turn1.responseMessageId });
    expect(turn2.refFileIds).toHaveLength(1);
    expect(fileOf(turn2.refFileIds[0]).sha256).toBe(sha256(second));
    expect(turn2.prompt).toContain('Second picture.');
    expect(turn2.prompt).not.toContain('First picture.');
  });

  it('should upload a file again when DeepSeek no longer knows the earlier upload', async () => {
    const ask = () =>
      stack.openai(['tok-files-a']).chat.completions.create({
        model: 'deepseek-chat',
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl('image/png', PNG) } }] }],
      });
    await ask();
    stack.fake.reset(); // DeepSeek deleted the account's files
    const completion = await ask();

    expect(completion.choices[0].message.content).toBe('I see it.');
    const message = onlyUpstreamMessage(stack.fake);
    expect(fileOf(message.refFileIds[0])).toMatchObject({ account: 'tok-files-a', sha256: sha256(PNG) });
    expect(stack.fake.state().requests.upload_file).toBe(1);
  });

  it("should upload the AI SDK's image parts", async () => {
    const provider = createOpenAICompatible({ name: 'gateway', baseURL: stack.baseURL, apiKey: 'tok-files-a' });
    const result = await generateText({
      model: provider('deepseek-chat'),
      maxRetries: 0,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe it.' },
            { type: 'image', image: new Uint8Array(PNG), mediaType: 'image/png' },
          ],
        },
      ],
    });

    expect(result.text).toBe('I see it.');
    const [id] = onlyUpstreamMessage(stack.fake).refFileIds;
    expect(fileOf(id).sha256).toBe(sha256(PNG));
  });

  it('should upload an Anthropic image block', async () => {
    const client = new Anthropic({ baseURL: stack.server.url, apiKey: 'tok-files-a', maxRetries: 0 });
    const message = await client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });

    expect(message.content.at(-1)).toMatchObject({ type: 'text', text: 'I see it.' });
    const [id] = onlyUpstreamMessage(stack.fake).refFileIds;
    expect(fileOf(id)).toMatchObject({ sha256: sha256(PNG), isImage: true });
  });
});

describe('image URLs fetched by the server (FETCH_ALLOW_PRIVATE=true, e2e)', () => {
  jest.setTimeout(30_000);
  let stack: Stack;
  let images: LocalServer;

  beforeAll(async () => {
    stack = await startStack({
      tokens: ['tok-url'],
      fake: { reply: { content: 'A cat.' } },
      env: { FETCH_ALLOW_PRIVATE: 'true' },
    });
    images = await servePng();
  });
  afterAll(async () => {
    await images?.close();
    await stack?.close();
  });

  it('should fetch the image and upload its bytes', async () => {
    const completion = await new OpenAI({
      baseURL: stack.baseURL,
      apiKey: 'tok-url',
      maxRetries: 0,
    }).chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: images.url('/cat.png') } }] }],
    });

    expect(completion.choices[0].message.content).toBe('A cat.');
    expect(images.requests).toEqual(['/cat.png']);
    const [id] = onlyUpstreamMessage(stack.fake).refFileIds;
    expect(stack.fake.state().files[id]).toMatchObject({ fileName: 'cat.png', sha256: sha256(PNG) });
    await expectAllIdle(stack);
  });
});

describe('a throttled upload (e2e)', () => {
  jest.setTimeout(30_000);
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ tokens: ['tok-files-a', 'tok-files-b'], fake: { reply: { content: 'I see it.' } } });
  });
  afterAll(() => stack?.close());

  it('should move to another account when an upload is throttled, uploading there', async () => {
    stack.fake.addFault({ fault: 'upload_rate_limit', account: 'tok-files-a' });
    const completion = await stack.openai().chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl('image/png', PNG) } }] }],
    });

    expect(completion.choices[0].message.content).toBe('I see it.');
    const message = onlyUpstreamMessage(stack.fake);
    expect(message.account).toBe('tok-files-b');
    expect(stack.fake.state().files[message.refFileIds[0]].account).toBe('tok-files-b');
    // The throttled account cools down; nothing is held or waiting.
    expect(stack.pool()).toMatchObject({ busy: 0, waiting: 0, leases: 0, cooling: 1 });
  });
});
