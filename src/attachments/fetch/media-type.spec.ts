import { isAllowedType, isUndeclared, mediaTypeOf, sniffMediaType } from './media-type';

describe('mediaTypeOf', () => {
  it.each([
    ['image/png', 'image/png'],
    ['IMAGE/PNG; charset=binary', 'image/png'],
    ['  application/pdf ;name="a.pdf"', 'application/pdf'],
    ['image/svg+xml', 'image/svg+xml'],
    [undefined, ''],
    ['', ''],
    ['nonsense', ''],
    ['text/html, image/png', ''],
  ])('%j → %j', (header, type) => {
    expect(mediaTypeOf(header)).toBe(type);
  });
});

describe('isUndeclared', () => {
  it.each([[''], ['application/octet-stream'], ['binary/octet-stream']])('%j says nothing', (type) => {
    expect(isUndeclared(type)).toBe(true);
  });
  it('image/png says something', () => expect(isUndeclared('image/png')).toBe(false));
});

describe('isAllowedType', () => {
  const allowed = ['image/*', 'application/pdf', 'Text/Plain'];
  it.each([
    ['image/png', true],
    ['image/webp', true],
    ['application/pdf', true],
    ['text/plain', true],
    ['text/html', false],
    ['application/json', false],
    ['imagex/png', false],
    ['', false],
  ])('%s → %s', (type, verdict) => {
    expect(isAllowedType(type, allowed)).toBe(verdict);
  });
  it('*/* allows anything', () => expect(isAllowedType('application/zip', ['*/*'])).toBe(true));
});

describe('sniffMediaType', () => {
  it.each([
    [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0], 'image/png'],
    [[0xff, 0xd8, 0xff, 0xe0], 'image/jpeg'],
    [[...Buffer.from('GIF89a')], 'image/gif'],
    [[...Buffer.from('GIF87a')], 'image/gif'],
    [[...Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ')], 'image/webp'],
    [[...Buffer.from('%PDF-1.4')], 'application/pdf'],
    [[...Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ')], null],
    [[...Buffer.from('<html>')], null],
    [[0x89, 0x50], null],
    [[], null],
  ])('%j → %s', (bytes, type) => {
    expect(sniffMediaType(Buffer.from(bytes))).toBe(type);
  });
});
