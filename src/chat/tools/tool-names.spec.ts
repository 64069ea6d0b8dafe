import { baseToolName, normaliseToolName, resolveToolName } from './tool-names';

describe('resolveToolName', () => {
  const declared = ['read_file', 'Bash', 'mcp__github__create_issue', 'mcp__github__list_issues'];

  it('prefers an exact match', () => {
    expect(resolveToolName('Bash', declared)).toEqual({ kind: 'exact', name: 'Bash' });
  });

  it.each([
    ['Read-File', 'read_file'],
    ['READ_FILE', 'read_file'],
    ['functions.read_file', 'read_file'],
    ['default_api:read_file', 'read_file'],
    ['bash', 'Bash'],
    ['create_issue', 'mcp__github__create_issue'],
    ['github.create_issue', 'mcp__github__create_issue'],
  ])('maps %s to %s', (written, name) => {
    expect(resolveToolName(written, declared)).toEqual({ kind: 'normalised', name });
  });

  it('treats an ambiguous name as unknown', () => {
    expect(resolveToolName('create_issue', ['mcp__github__create_issue', 'mcp__gitlab__create_issue'])).toEqual({
      kind: 'unknown',
    });
    expect(resolveToolName('read_file', ['Read_File', 'read-file'])).toEqual({ kind: 'unknown' });
  });

  it('treats an invented name as unknown', () => {
    expect(resolveToolName('delete_everything', declared)).toEqual({ kind: 'unknown' });
  });

  it('normalises and cuts namespaces', () => {
    expect(normaliseToolName(' Functions.Read-File ')).toBe('read_file');
    expect(baseToolName('mcp__github__create_issue')).toBe('create_issue');
    expect(baseToolName('ns/tool')).toBe('tool');
    expect(baseToolName('plain_name')).toBe('plain_name');
  });
});
