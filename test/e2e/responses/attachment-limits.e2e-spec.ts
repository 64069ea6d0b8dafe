import OpenAI from 'openai';
import { startStack, type Stack } from '../../utils/stack';
import { upstreamMessages } from '../../utils/upstream-view';

/** The attachment limits as the openai SDK's Responses client sees them: a 400 naming the part. */
describe('Responses attachment limits with the openai SDK (e2e)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { ATTACHMENT_TYPES: 'image/png,image/jpeg' } });
  });
  afterAll(() => stack.close());

  it('should refuse a file type not in ATTACHMENT_TYPES with a 400 naming the part', async () => {
    const error = await stack
      .openai()
      .responses.create({
        model: 'deepseek-chat',
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'Summarise' },
              { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERg==' },
            ],
          },
        ],
      })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      code: 'unsupported_attachment_type',
      param: 'input[0].content[1]',
      error: expect.objectContaining({
        message:
          "Attachment at 'input[0].content[1]': type 'application/pdf' is not accepted; accepted: image/png, image/jpeg (ATTACHMENT_TYPES).",
      }),
    });
    expect(upstreamMessages(stack.fake)).toHaveLength(0);
  });

  it('should refuse an input_image by file_id with a 400 naming it', async () => {
    const error = await stack
      .openai()
      .responses.create({
        model: 'deepseek-chat',
        input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-abc', detail: 'auto' }] }],
      })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ code: 'unsupported_file_id', param: 'input[0].content[0].file_id' });
  });
});
