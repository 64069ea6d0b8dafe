import Anthropic from '@anthropic-ai/sdk';
import { startStack, type Stack } from '../../utils/stack';
import { upstreamMessages } from '../../utils/upstream-view';

const API_KEY = 'key-attachments';
const ACCOUNT = 'tok-attachments';

/** The attachment limits as the Anthropic SDK sees them: a 400 `invalid_request_error`, nothing sent upstream. */
describe('Anthropic Messages attachment limits with @anthropic-ai/sdk (e2e)', () => {
  let stack: Stack;
  const client = () => new Anthropic({ baseURL: stack.server.url, apiKey: API_KEY, maxRetries: 0 });

  beforeAll(async () => {
    stack = await startStack({
      tokens: [ACCOUNT],
      env: { DEEPSEEK_TOKENS: ACCOUNT, API_KEYS: API_KEY, ATTACHMENT_MAX_TOTAL_BYTES: '1kb' },
    });
  });
  afterAll(() => stack.close());

  it('should refuse images over ATTACHMENT_MAX_TOTAL_BYTES together with a 400', async () => {
    const image = {
      type: 'image' as const,
      source: { type: 'base64' as const, media_type: 'image/png' as const, data: Buffer.alloc(600).toString('base64') },
    };
    const error = await client()
      .messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        messages: [{ role: 'user', content: [image, { type: 'text', text: 'Spot the difference' }, image] }],
      })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      error: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message:
            "Attachments are 1.2 KB with the one at 'messages[0].content[2]'; at most 1 KB per request (ATTACHMENT_MAX_TOTAL_BYTES).",
        },
      },
    });
    expect(upstreamMessages(stack.fake)).toHaveLength(0);
  });

  it('should refuse a Files API document source with a 400', async () => {
    const error = await client()
      .messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [{ type: 'document', source: { type: 'file', file_id: 'file_1' } }],
          },
        ],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({ status: 400, error: { error: { type: 'invalid_request_error' } } });
    expect((error as Error).message).toContain("Unsupported 'messages[0].content[0].source'");
  });
});
