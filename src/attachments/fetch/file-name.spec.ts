import { fileNameOf } from './file-name';

const url = (path: string) => new URL(`https://files.example.test${path}`);

describe('fileNameOf', () => {
  it.each([
    ['attachment; filename="report.pdf"', '/x', 'report.pdf'],
    ['attachment; filename=report.pdf', '/x', 'report.pdf'],
    ['inline; filename="a \\"quoted\\" name.png"', '/x', 'a "quoted" name.png'],
    ['attachment; filename="fallback.pdf"; filename*=UTF-8\'\'%E6%8A%A5%E5%91%8A.pdf', '/x', '报告.pdf'],
    ["attachment; filename*=utf-8'en'na%20me.pdf", '/x', 'na me.pdf'],
    ["attachment; filename*=ISO-8859-1''caf%E9.pdf; filename=cafe.pdf", '/x', 'cafe.pdf'],
    ['attachment; filename="../../etc/passwd"', '/x', 'passwd'],
    ['attachment; filename="C:\\\\Windows\\\\evil.exe"', '/x', 'evil.exe'],
    ['attachment; filename="bad\u0001name.png"', '/x', 'badname.png'],
    ['attachment; filename=".."', '/dir/cat.png', 'cat.png'],
    ['attachment', '/images/cat%20photo.jpg', 'cat photo.jpg'],
    [undefined, '/images/cat.jpg', 'cat.jpg'],
    [undefined, '/images/', null],
    [undefined, '/', null],
    [undefined, '/%E0%A4%A', null],
  ])('%j with path %s → %j', (header, path, name) => {
    expect(fileNameOf(header, url(path))).toBe(name);
  });

  it('keeps at most 200 characters', () => {
    expect(fileNameOf(`attachment; filename="${'a'.repeat(300)}.png"`, url('/x'))).toHaveLength(200);
  });
});
