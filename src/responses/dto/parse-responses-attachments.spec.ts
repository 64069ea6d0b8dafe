import { badRequestOf } from '../../../test/utils/bad-request';
import type { AttachmentLimits } from '../../attachments/attachment';
import type { InputItem } from '../input-items';
import { parseResponsesRequest } from './parse-responses-request';
import type { ResponsesLimits } from './responses-request';

const attachments: AttachmentLimits = {
  maxCount: 3,
  maxFileBytes: 64,
  maxTotalBytes: 100,
  allowedTypes: ['image/png', 'application/pdf'],
};
const limits: ResponsesLimits = { maxMessages: 10, maxPromptChars: 10_000, attachments };
const png = Buffer.from('fake png');
const pngUrl = `data:image/png;base64,${png.toString('base64')}`;
const pdf = Buffer.from('%PDF fake');

const parse = (input: unknown[], options: Partial<ResponsesLimits> = {}) =>
  parseResponsesRequest({ input }, { ...limits, ...options });
const user = (...content: unknown[]) => ({ role: 'user', content });
const messageOf = (item: InputItem) => {
  if (item.type !== 'message') throw new Error(`expected a message, got ${item.type}`);
  return item;
};

describe('parseResponsesRequest attachments', () => {
  it('should read input_image parts (data or http URL, detail accepted) of user messages', () => {
    const { input } = parse([
      user(
        { type: 'input_text', text: 'Compare' },
        { type: 'input_image', image_url: pngUrl, detail: 'auto' },
        { type: 'input_image', image_url: 'https://x.test/b.png' },
      ),
    ]);

    expect(input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'text', text: 'Compare' },
          { type: 'text', text: '[attachment 1: image]' },
          { type: 'text', text: '[attachment 2: image]' },
        ],
        attachments: [
          {
            path: 'input[0].content[1]',
            kind: 'image',
            source: { type: 'bytes', data: png, mediaType: 'image/png' },
            fileName: null,
          },
          {
            path: 'input[0].content[2]',
            kind: 'image',
            source: { type: 'url', url: 'https://x.test/b.png' },
            fileName: null,
          },
        ],
      },
    ]);
  });

  it('should read input_file parts by file_data or file_url, named by filename, numbered across items', () => {
    const { input } = parse([
      user({
        type: 'input_file',
        filename: 'a.pdf',
        file_data: `data:application/pdf;base64,${pdf.toString('base64')}`,
      }),
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Got it.' }] },
      user({ type: 'input_file', file_url: 'https://x.test/b.pdf', filename: 'b.pdf' }),
    ]);

    expect(messageOf(input[0])).toMatchObject({
      content: [{ type: 'text', text: '[attachment 1: a.pdf]' }],
      attachments: [
        { kind: 'file', fileName: 'a.pdf', source: { type: 'bytes', data: pdf, mediaType: 'application/pdf' } },
      ],
    });
    expect(messageOf(input[1]).attachments).toBeUndefined();
    expect(messageOf(input[2])).toMatchObject({
      content: [{ type: 'text', text: '[attachment 2: b.pdf]' }],
      attachments: [{ kind: 'file', source: { type: 'url', url: 'https://x.test/b.pdf' } }],
    });
  });

  it.each<[string, unknown[], string, string, string]>([
    [
      'an input_image by file_id',
      [user({ type: 'input_image', file_id: 'file-1' })],
      'input[0].content[0].file_id',
      'unsupported_file_id',
      "Unsupported 'input[0].content[0].file_id': uploaded-file ids cannot be resolved here. Send the file's data inline (base64 or a data: URL) or an http(s) URL instead.",
    ],
    [
      'an input_file by file_id',
      [user({ type: 'input_file', file_id: 'file-1' })],
      'input[0].content[0].file_id',
      'unsupported_file_id',
      "Unsupported 'input[0].content[0].file_id': uploaded-file ids cannot be resolved here. Send the file's data inline (base64 or a data: URL) or an http(s) URL instead.",
    ],
    [
      'an input_image with no URL',
      [user({ type: 'input_image', detail: 'low' })],
      'input[0].content[0].image_url',
      'missing_required_parameter',
      "Missing required parameter: 'input[0].content[0].image_url'.",
    ],
    [
      'an input_file with nothing in it',
      [user({ type: 'input_file', filename: 'a.pdf' })],
      'input[0].content[0].file_data',
      'missing_required_parameter',
      "Missing required parameter: 'input[0].content[0].file_data'.",
    ],
    [
      'invalid base64 in file_data',
      [user({ type: 'input_file', file_data: 'data:application/pdf;base64,%%%' })],
      'input[0].content[0].file_data',
      'invalid_attachment',
      "Invalid attachment at 'input[0].content[0].file_data': The data is not valid base64.",
    ],
    [
      'a type not accepted',
      [user({ type: 'input_file', file_data: 'data:application/zip;base64,AAAA' })],
      'input[0].content[0]',
      'unsupported_attachment_type',
      "Attachment at 'input[0].content[0]': type 'application/zip' is not accepted; accepted: image/png, application/pdf (ATTACHMENT_TYPES).",
    ],
    [
      'a file over ATTACHMENT_MAX_BYTES',
      [user({ type: 'input_image', image_url: `data:image/png;base64,${Buffer.alloc(65).toString('base64')}` })],
      'input[0].content[0]',
      'attachment_too_large',
      "Attachment at 'input[0].content[0]' is 65 bytes; at most 64 bytes per file (ATTACHMENT_MAX_BYTES).",
    ],
    [
      'files over ATTACHMENT_MAX_TOTAL_BYTES together',
      [
        user({ type: 'input_image', image_url: `data:image/png;base64,${Buffer.alloc(50).toString('base64')}` }),
        user({ type: 'input_image', image_url: `data:image/png;base64,${Buffer.alloc(51).toString('base64')}` }),
      ],
      'input[1].content[0]',
      'attachments_too_large',
      "Attachments are 101 bytes with the one at 'input[1].content[0]'; at most 100 bytes per request (ATTACHMENT_MAX_TOTAL_BYTES).",
    ],
    [
      'more than ATTACHMENT_MAX_COUNT',
      [
        user(
          { type: 'input_image', image_url: 'https://x.test/1.png' },
          { type: 'input_image', image_url: 'https://x.test/2.png' },
          { type: 'input_image', image_url: 'https://x.test/3.png' },
          { type: 'input_image', image_url: 'https://x.test/4.png' },
        ),
      ],
      'input[0].content[3]',
      'too_many_attachments',
      "Too many attachments at 'input[0].content[3]': at most 3 per request (ATTACHMENT_MAX_COUNT).",
    ],
    [
      'an image in a developer message',
      [{ role: 'developer', content: [{ type: 'input_image', image_url: pngUrl }] }],
      'input[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'input[0].content[0]': type 'input_image' is accepted in user messages only; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
    [
      'an image in a function_call_output',
      [{ type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_image', image_url: pngUrl }] }],
      'input[0].output[0]',
      'unsupported_content',
      "Unsupported content part at 'input[0].output[0]': type 'input_image' is accepted in user messages only; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
  ])('should refuse %s', (_name, input, param, code, message) => {
    expect(badRequestOf(() => parse(input))).toEqual([param, code, message]);
  });

  it('should drop audio with DROP_UNSUPPORTED_PARTS and keep the images', () => {
    const request = parse(
      [
        user(
          { type: 'input_audio', input_audio: { data: '', format: 'wav' } },
          { type: 'input_image', image_url: pngUrl },
        ),
      ],
      { dropUnsupportedParts: true },
    );

    expect(messageOf(request.input[0]).content).toEqual([{ type: 'text', text: '[attachment 1: image]' }]);
    expect(request.droppedPartTypes).toEqual(['input_audio']);
  });

  it('should accept no attachment without ATTACHMENT limits: refused as before', () => {
    expect(
      badRequestOf(() => parse([user({ type: 'input_image', image_url: pngUrl })], { attachments: undefined })),
    ).toEqual([
      'input[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'input[0].content[0]': type 'input_image'. Only text parts reach the DeepSeek web chat; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ]);
  });
});
