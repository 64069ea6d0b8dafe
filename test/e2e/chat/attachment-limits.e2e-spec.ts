import OpenAI from 'openai';
import { startStack, type Stack } from '../../utils/stack';
import { upstreamMessages } from '../../utils/upstream-view';

/** The attachment limits as an OpenAI SDK sees them: a 400 `BadRequestError` naming the part, nothing sent upstream. */
describe('Chat Completions attachment limits with the openai SDK (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { ATTACHMENT_MAX_COUNT: '1', ATTACHMENT_MAX_BYTES: '1kb' } });
  });
  afterAll(() => stack.close());

  it('should refuse the image past ATTACHMENT_MAX_COUNT with a 400 naming it', async () => {
    const error = await stack
      .openai()
      .chat.completions.create({
        model: 'deepseek-chat',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
              { type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'low' } },
            ],
          },
        ],
      })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'too_many_attachments',
      param: 'messages[0].content[2]',
      error: expect.objectContaining({
        message: "Too many attachments at 'messages[0].content[2]': at most 1 per request (ATTACHMENT_MAX_COUNT).",
      }),
    });
    expect(upstreamMessages(stack.fake)).toHaveLength(0);
  });

  it('should refuse a file over ATTACHMENT_MAX_BYTES with a 400 naming it', async () => {
    const error = await stack
      .openai()
      .chat.completions.create({
        model: 'deepseek-chat',
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'file',
                file: {
                  filename: 'big.pdf',
                  file_data: `data:application/pdf;base64,${Buffer.alloc(2048).toString('base64')}`,
                },
              },
            ],
          },
        ],
      })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ code: 'attachment_too_large', param: 'messages[0].content[0]' });
  });
});
