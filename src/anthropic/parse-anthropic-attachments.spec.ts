import { badRequestOf } from '../../test/utils/bad-request';
import type { AttachmentLimits } from '../attachments/attachment';
import { ApiError } from '../common/errors/api-error';
import { toAnthropicErrorBody } from '../common/errors/anthropic-error-body';
import { parseModelAliases } from '../config/model-aliases';
import { type AnthropicRequestLimits, parseAnthropicRequest } from './parse-anthropic-request';

const attachments: AttachmentLimits = {
  maxCount: 3,
  maxFileBytes: 64,
  maxTotalBytes: 100,
  allowedTypes: ['image/png', 'application/pdf'],
};
const limits: AnthropicRequestLimits = {
  maxMessages: 10,
  maxPromptChars: 100_000,
  modelAliases: parseModelAliases('claude-haiku*=deepseek-chat')!,
  attachments,
};
const png = Buffer.from('fake png');
const pdf = Buffer.from('%PDF fake');
const base64Image = {
  type: 'image',
  source: { type: 'base64', media_type: 'image/png', data: png.toString('base64') },
};
const urlImage = { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } };

const parse = (messages: unknown[], options: Partial<AnthropicRequestLimits> = {}, system?: unknown) =>
  parseAnthropicRequest({ model: 'claude-haiku-4-5', max_tokens: 10, messages, system }, { ...limits, ...options })
    .chat;
const user = (...content: unknown[]) => ({ role: 'user', content });

describe('parseAnthropicRequest attachments', () => {
  it('should read base64 and URL image blocks of a user turn, a marker where each was', () => {
    const { messages } = parse([user({ type: 'text', text: 'Look' }, base64Image, urlImage)]);

    expect(messages).toHaveLength(1);
    expect(messages[0].content).toEqual([
      { type: 'text', text: 'Look' },
      { type: 'text', text: '[attachment 1: image]' },
      { type: 'text', text: '[attachment 2: image]' },
    ]);
    expect(messages[0].attachments).toEqual([
      {
        path: 'messages[0].content[1]',
        kind: 'image',
        source: { type: 'bytes', data: png, mediaType: 'image/png' },
        fileName: null,
      },
      {
        path: 'messages[0].content[2]',
        kind: 'image',
        source: { type: 'url', url: 'https://x.test/a.png' },
        fileName: null,
      },
    ]);
  });

  it('should read document blocks: a PDF named by its title, its context after the marker, citations ignored', () => {
    const { messages } = parse([
      user({
        type: 'document',
        title: 'report.pdf',
        context: 'Q3 numbers',
        citations: { enabled: true },
        source: { type: 'base64', media_type: 'application/pdf', data: pdf.toString('base64') },
      }),
      { role: 'assistant', content: 'Read.' },
      user({ type: 'document', source: { type: 'url', url: 'https://x.test/b.pdf' } }),
    ]);

    expect(messages[0].content).toEqual([{ type: 'text', text: '[attachment 1: report.pdf]\nQ3 numbers' }]);
    expect(messages[0].attachments).toEqual([
      {
        path: 'messages[0].content[0]',
        kind: 'file',
        source: { type: 'bytes', data: pdf, mediaType: 'application/pdf' },
        fileName: 'report.pdf',
      },
    ]);
    expect(messages[2].content).toEqual([{ type: 'text', text: '[attachment 2: file]' }]);
    expect(messages[2].attachments[0].source).toEqual({ type: 'url', url: 'https://x.test/b.pdf' });
  });

  it('should read a text document as text, title first, with no attachment', () => {
    const { messages } = parse([
      user({ type: 'document', title: 'Notes', source: { type: 'text', media_type: 'text/plain', data: 'a = 1' } }),
    ]);

    expect(messages[0].content).toEqual([
      { type: 'text', text: 'Notes' },
      { type: 'text', text: 'a = 1' },
    ]);
    expect(messages[0].attachments).toEqual([]);
  });

  it('should attach images of a tool_result to its tool message (Claude Code screenshots)', () => {
    const { messages } = parse([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'screenshot', input: {} }] },
      user(
        { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'Taken.' }, base64Image] },
        { type: 'text', text: 'What do you see?' },
      ),
    ]);

    expect(messages[1]).toMatchObject({
      role: 'tool',
      toolCallId: 't1',
      content: [
        { type: 'text', text: 'Taken.' },
        { type: 'text', text: '[attachment 1: image]' },
      ],
      attachments: [{ path: 'messages[1].content[0].content[1]', kind: 'image' }],
    });
    expect(messages[2]).toMatchObject({ role: 'user', attachments: [] });
  });

  it.each<[string, unknown[], string, string, string]>([
    [
      'a Files API source',
      [user({ type: 'image', source: { type: 'file', file_id: 'file_1' } })],
      'messages[0].content[0].source',
      'unsupported_file_id',
      "Unsupported 'messages[0].content[0].source': uploaded-file ids cannot be resolved here. Send the file's data inline (base64 or a data: URL) or an http(s) URL instead.",
    ],
    [
      'an unknown source type',
      [user({ type: 'document', source: { type: 'content', content: 'x' } })],
      'messages[0].content[0].source.type',
      'invalid_value',
      "Invalid value: 'content'. Supported values are: 'base64', 'url' and 'text'.",
    ],
    [
      'a base64 image without media_type',
      [user({ type: 'image', source: { type: 'base64', data: 'AAAA' } })],
      'messages[0].content[0].source.media_type',
      'missing_required_parameter',
      "Missing required parameter: 'messages[0].content[0].source.media_type'.",
    ],
    [
      'invalid base64',
      [user({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'not base64!' } })],
      'messages[0].content[0].source.data',
      'invalid_attachment',
      "Invalid attachment at 'messages[0].content[0].source.data': The data is not valid base64.",
    ],
    [
      'a type not accepted',
      [user({ type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'AAAA' } })],
      'messages[0].content[0]',
      'unsupported_attachment_type',
      "Attachment at 'messages[0].content[0]': type 'image/gif' is not accepted; accepted: image/png, application/pdf (ATTACHMENT_TYPES).",
    ],
    [
      'an image over ATTACHMENT_MAX_BYTES',
      [
        user({
          type: 'image',
          source: { type: 'base64', media_type: 'image/png', data: Buffer.alloc(65).toString('base64') },
        }),
      ],
      'messages[0].content[0]',
      'attachment_too_large',
      "Attachment at 'messages[0].content[0]' is 65 bytes; at most 64 bytes per file (ATTACHMENT_MAX_BYTES).",
    ],
    [
      'images over ATTACHMENT_MAX_TOTAL_BYTES together',
      [
        user(
          {
            type: 'image',
            source: { type: 'base64', media_type: 'image/png', data: Buffer.alloc(64).toString('base64') },
          },
          {
            type: 'image',
            source: { type: 'base64', media_type: 'image/png', data: Buffer.alloc(37).toString('base64') },
          },
        ),
      ],
      'messages[0].content[1]',
      'attachments_too_large',
      "Attachments are 101 bytes with the one at 'messages[0].content[1]'; at most 100 bytes per request (ATTACHMENT_MAX_TOTAL_BYTES).",
    ],
    [
      'more than ATTACHMENT_MAX_COUNT, tool results included',
      [
        user(urlImage, urlImage),
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'shot', input: {} }] },
        user({ type: 'tool_result', tool_use_id: 't1', content: [urlImage, urlImage] }),
      ],
      'messages[2].content[0].content[1]',
      'too_many_attachments',
      "Too many attachments at 'messages[2].content[0].content[1]': at most 3 per request (ATTACHMENT_MAX_COUNT).",
    ],
    [
      'an image in an assistant turn',
      [user(urlImage), { role: 'assistant', content: [urlImage] }],
      'messages[1].content[0]',
      'unsupported_content',
      "Unsupported content block at 'messages[1].content[0]': type 'image' is accepted in user messages only; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
  ])('should refuse %s', (_name, messages, param, code, message) => {
    expect(badRequestOf(() => parse(messages))).toEqual([param, code, message]);
  });

  it('should refuse an image in system blocks', () => {
    expect(badRequestOf(() => parse([user({ type: 'text', text: 'Hi' })], {}, [urlImage]))).toEqual([
      'system[0]',
      'unsupported_content',
      "Unsupported content block at 'system[0]': type 'image' is accepted in user messages only; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ]);
  });

  it('should answer a limit with an Anthropic invalid_request_error', () => {
    const error = refusalOf(() => parse([user(urlImage, urlImage, urlImage, urlImage)]));

    expect(toAnthropicErrorBody(error)).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('should drop misplaced images and unknown blocks with DROP_UNSUPPORTED_PARTS', () => {
    const chat = parseAnthropicRequest(
      {
        model: 'claude-haiku-4-5',
        max_tokens: 10,
        messages: [user({ type: 'search_result', content: [] }, urlImage), { role: 'assistant', content: [urlImage] }],
      },
      { ...limits, dropUnsupportedParts: true },
    ).chat;

    expect(chat.messages[0].attachments).toHaveLength(1);
    expect(chat.messages[1]).toMatchObject({ content: [], attachments: [] });
    expect(chat.droppedPartTypes.sort()).toEqual(['image', 'search_result']);
  });

  it('should accept no image without ATTACHMENT limits: refused as before', () => {
    expect(badRequestOf(() => parse([user(base64Image)], { attachments: undefined }))).toEqual([
      'messages[0].content[0]',
      'unsupported_content',
      "Unsupported content block at 'messages[0].content[0]': type 'image'. Only text reaches the DeepSeek web chat; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ]);
  });
});

function refusalOf(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}
