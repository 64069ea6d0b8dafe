import { badRequestOf } from '../../../test/utils/bad-request';
import type { AttachmentLimits } from '../../attachments/attachment';
import type { RequestLimits } from './chat-completion-request';
import { parseChatCompletionRequest } from './parse-chat-request';

const attachments: AttachmentLimits = {
  maxCount: 3,
  maxFileBytes: 64,
  maxTotalBytes: 100,
  allowedTypes: ['image/png', 'application/pdf'],
};
const limits: RequestLimits = { maxMessages: 10, maxPromptChars: 10_000, attachments };
const png = Buffer.from('fake png bytes');
const pngUrl = `data:image/png;base64,${png.toString('base64')}`;
const pdf = Buffer.from('%PDF-1.7 fake');

const parse = (messages: unknown[], options: Partial<RequestLimits> = {}) =>
  parseChatCompletionRequest({ model: 'deepseek-chat', messages }, { ...limits, ...options });
const userWith = (...content: unknown[]) => ({ role: 'user', content });
const image = (url: unknown) => ({ type: 'image_url', image_url: url });

describe('parseChatCompletionRequest attachments', () => {
  it('should read image_url parts (detail accepted) into attachments, a marker where each was', () => {
    const { messages } = parse([
      userWith(
        { type: 'text', text: 'Compare' },
        image({ url: pngUrl, detail: 'high' }),
        image('https://x.test/b.png'),
      ),
    ]);

    expect(messages[0].content).toEqual([
      { type: 'text', text: 'Compare' },
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
        source: { type: 'url', url: 'https://x.test/b.png' },
        fileName: null,
      },
    ]);
  });

  it('should read file parts (a data URL, or bare base64 typed by its file name) as files', () => {
    const { messages } = parse([
      userWith({ type: 'file', file: { file_data: `data:application/pdf;base64,${pdf.toString('base64')}` } }),
      { role: 'assistant', content: 'Read.' },
      userWith({ type: 'file', file: { file_data: pdf.toString('base64'), filename: 'report.pdf' } }),
    ]);

    expect(messages[0].attachments[0]).toEqual({
      path: 'messages[0].content[0]',
      kind: 'file',
      source: { type: 'bytes', data: pdf, mediaType: 'application/pdf' },
      fileName: null,
    });
    expect(messages[0].content).toEqual([{ type: 'text', text: '[attachment 1: file]' }]);
    expect(messages[2].content).toEqual([{ type: 'text', text: '[attachment 2: report.pdf]' }]);
    expect(messages[2].attachments[0].source).toEqual({ type: 'bytes', data: pdf, mediaType: 'application/pdf' });
  });

  it('should give messages without images an empty attachment list', () => {
    const { messages } = parse([{ role: 'user', content: 'Hi' }, userWith({ type: 'text', text: 'Hey' })]);

    expect(messages.map((message) => message.attachments)).toEqual([[], []]);
  });

  it.each<[string, unknown[], string, string, string]>([
    [
      'a file_id (Files API)',
      [userWith({ type: 'file', file: { file_id: 'file-abc' } })],
      'messages[0].content[0].file.file_id',
      'unsupported_file_id',
      "Unsupported 'messages[0].content[0].file.file_id': uploaded-file ids cannot be resolved here. Send the file's data inline (base64 or a data: URL) or an http(s) URL instead.",
    ],
    [
      'a file part with no data',
      [userWith({ type: 'file', file: { filename: 'a.pdf' } })],
      'messages[0].content[0].file.file_data',
      'missing_required_parameter',
      "Missing required parameter: 'messages[0].content[0].file.file_data'.",
    ],
    [
      'an image_url part without its image_url',
      [userWith({ type: 'image_url' })],
      'messages[0].content[0].image_url',
      'missing_required_parameter',
      "Missing required parameter: 'messages[0].content[0].image_url'.",
    ],
    [
      'an image_url without url',
      [userWith(image({ detail: 'low' }))],
      'messages[0].content[0].image_url.url',
      'missing_required_parameter',
      "Missing required parameter: 'messages[0].content[0].image_url.url'.",
    ],
    [
      'invalid base64 in an image',
      [userWith(image({ url: 'data:image/png;base64,***' }))],
      'messages[0].content[0].image_url.url',
      'invalid_attachment',
      "Invalid attachment at 'messages[0].content[0].image_url.url': The data is not valid base64.",
    ],
    [
      'a file:// URL',
      [userWith(image({ url: 'file:///etc/passwd' }))],
      'messages[0].content[0].image_url.url',
      'invalid_attachment',
      "Invalid attachment at 'messages[0].content[0].image_url.url': URL scheme 'file:' is not supported. Expected an http(s) or data: URL.",
    ],
    [
      'a type not accepted',
      [userWith(image({ url: 'data:image/tiff;base64,AAAA' }))],
      'messages[0].content[0]',
      'unsupported_attachment_type',
      "Attachment at 'messages[0].content[0]': type 'image/tiff' is not accepted; accepted: image/png, application/pdf (ATTACHMENT_TYPES).",
    ],
    [
      'a file over ATTACHMENT_MAX_BYTES',
      [userWith(image({ url: `data:image/png;base64,${Buffer.alloc(65).toString('base64')}` }))],
      'messages[0].content[0]',
      'attachment_too_large',
      "Attachment at 'messages[0].content[0]' is 65 bytes; at most 64 bytes per file (ATTACHMENT_MAX_BYTES).",
    ],
    [
      'files over ATTACHMENT_MAX_TOTAL_BYTES together',
      [
        userWith(image({ url: `data:image/png;base64,${Buffer.alloc(60).toString('base64')}` })),
        userWith(image({ url: `data:image/png;base64,${Buffer.alloc(41).toString('base64')}` })),
      ],
      'messages[1].content[0]',
      'attachments_too_large',
      "Attachments are 101 bytes with the one at 'messages[1].content[0]'; at most 100 bytes per request (ATTACHMENT_MAX_TOTAL_BYTES).",
    ],
    [
      'more than ATTACHMENT_MAX_COUNT across messages',
      [
        userWith(image('https://x.test/1.png'), image('https://x.test/2.png')),
        { role: 'assistant', content: 'Ok.' },
        userWith({ type: 'text', text: 'And' }, image('https://x.test/3.png'), image('https://x.test/4.png')),
      ],
      'messages[2].content[2]',
      'too_many_attachments',
      "Too many attachments at 'messages[2].content[2]': at most 3 per request (ATTACHMENT_MAX_COUNT).",
    ],
    [
      'an image in a system message',
      [{ role: 'system', content: [image(pngUrl)] }],
      'messages[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'messages[0].content[0]': type 'image_url' is accepted in user messages only; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
    [
      'a file in an assistant message',
      [{ role: 'assistant', content: [{ type: 'file', file: { file_data: pngUrl } }] }],
      'messages[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'messages[0].content[0]': type 'file' is accepted in user messages only; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
    [
      'an image in a tool message',
      [{ role: 'tool', tool_call_id: 'c1', content: [image(pngUrl)] }],
      'messages[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'messages[0].content[0]': type 'image_url' is accepted in user messages only; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
    [
      'audio, still',
      [userWith({ type: 'input_audio', input_audio: { data: '', format: 'wav' } })],
      'messages[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'messages[0].content[0]': type 'input_audio'. Only text, images and files reach the DeepSeek web chat; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ],
  ])('should refuse %s', (_name, messages, param, code, message) => {
    expect(badRequestOf(() => parse(messages))).toEqual([param, code, message]);
  });

  it('should drop audio and misplaced images with DROP_UNSUPPORTED_PARTS, and still attach user images', () => {
    const request = parse(
      [
        { role: 'system', content: [{ type: 'text', text: 'Rules' }, image(pngUrl)] },
        userWith({ type: 'input_audio', input_audio: { data: '', format: 'wav' } }, image(pngUrl)),
      ],
      { dropUnsupportedParts: true },
    );

    expect(request.messages[0]).toMatchObject({ content: [{ type: 'text', text: 'Rules' }], attachments: [] });
    expect(request.messages[1].content).toEqual([{ type: 'text', text: '[attachment 1: image]' }]);
    expect(request.messages[1].attachments).toHaveLength(1);
    expect(request.droppedPartTypes.sort()).toEqual(['image_url', 'input_audio']);
  });

  it('should accept no attachment without ATTACHMENT limits: refused or dropped as any other part', () => {
    const withoutLimits = { attachments: undefined };

    expect(badRequestOf(() => parse([userWith(image(pngUrl))], withoutLimits))).toEqual([
      'messages[0].content[0]',
      'unsupported_content',
      "Unsupported content part at 'messages[0].content[0]': type 'image_url'. Only text parts reach the DeepSeek web chat; set DROP_UNSUPPORTED_PARTS=true on the server to drop the others.",
    ]);
    const dropped = parse([userWith({ type: 'text', text: 'Hi' }, image(pngUrl))], {
      ...withoutLimits,
      dropUnsupportedParts: true,
    });
    expect(dropped.messages[0]).toMatchObject({ content: [{ type: 'text', text: 'Hi' }], attachments: [] });
    expect(dropped.droppedPartTypes).toEqual(['image_url']);
  });
});
