import { PatchDocument, type PatchListener } from './patch-document';
import { parsePath } from './patch-path';
import { StickyPatches } from './sticky-patches';

function setup() {
  const appended: string[] = [];
  const ignored: string[] = [];
  const listener: PatchListener = {
    textAppended: (path, _holder, _before, _after, delta) => appended.push(`${path.raw}+${delta}`),
    changed: () => undefined,
    ignored: (path, reason) => ignored.push(`${path.raw}: ${reason}`),
  };
  const document = new PatchDocument(listener);
  const patches = new StickyPatches(document);
  const apply = (...frames: Record<string, unknown>[]) => frames.forEach((frame) => patches.applyFrame(frame));
  return { document, patches, apply, appended, ignored, response: () => document.response as any };
}

const snapshot = (response: Record<string, unknown>) => ({ v: { response } });

describe('PatchDocument and StickyPatches', () => {
  it('should replace the document with a root SET snapshot', () => {
    const { apply, response } = setup();
    apply(snapshot({ status: 'WIP', fragments: [] }));
    expect(response()).toEqual({ status: 'WIP', fragments: [] });
  });

  it('should keep path and op sticky until a frame names them again', () => {
    const { apply, response } = setup();
    apply(
      snapshot({ fragments: [{ id: 2, type: 'THINK', content: 'a' }] }),
      { p: 'response/fragments/-1/content', o: 'APPEND', v: 'b' },
      { v: 'c' },
      { p: 'response/fragments/-1/elapsed_secs', o: 'SET', v: 1.5 },
      { p: 'response/fragments', o: 'APPEND', v: [{ id: 3, type: 'RESPONSE', content: '```' }] },
      // The "mark" frame: a new path without `o` keeps APPEND.
      { p: 'response/fragments/-1/content', v: 'mark' },
      { v: 'down' },
    );
    expect(response().fragments).toEqual([
      { id: 2, type: 'THINK', content: 'abc', elapsed_secs: 1.5 },
      { id: 3, type: 'RESPONSE', content: '```markdown' },
    ]);
  });

  it('should SET a new path when the sticky op is SET (Format B first token)', () => {
    const { apply, response } = setup();
    apply(snapshot({ thinking_content: null }), { p: 'response/thinking_content', v: '嗯' }, { o: 'APPEND', v: '，' });
    expect(response().thinking_content).toBe('嗯，');
  });

  it('should resolve negative and positive indexes when the patch is applied', () => {
    const { apply, response } = setup();
    apply(
      snapshot({ fragments: [{ content: 'a' }, { content: 'b' }] }),
      { p: 'response/fragments/-1/content', o: 'APPEND', v: '1' },
      { p: 'response/fragments', v: [{ content: 'c' }] },
      { p: 'response/fragments/-1/content', v: '2' },
      { p: 'response/fragments/0/content', v: '3' },
      { p: 'response/fragments/-3/content', v: '4' },
      { p: 'response/fragments/-9/content', v: 'lost' },
    );
    expect(response().fragments.map((fragment: any) => fragment.content)).toEqual(['a34', 'b1', 'c2']);
  });

  it('should apply BATCH sub-patches relative to the batch path with SET as their default op', () => {
    const { apply, response } = setup();
    apply(snapshot({ content: 'x', search_results: [{ url: 'u', cite_index: null }] }));
    apply({ p: 'response/content', o: 'APPEND', v: '!' });
    apply({
      p: 'response',
      o: 'BATCH',
      v: [
        { p: 'accumulated_token_usage', v: 39 },
        { p: 'search_results/0/cite_index', v: 1 },
        { p: 'content', v: 'y' },
        { p: 'content', o: 'APPEND', v: 'z' },
      ],
    });
    expect(response()).toMatchObject({
      accumulated_token_usage: 39,
      content: 'yz',
      search_results: [{ cite_index: 1 }],
    });
  });

  it('should leave the sticky state at the batch path and BATCH op after a BATCH', () => {
    const { apply, response } = setup();
    apply(snapshot({ status: 'WIP' }), { p: 'response', o: 'BATCH', v: [{ p: 'quasi_status', v: 'FINISHED' }] });
    apply({ v: [{ p: 'status', v: 'FINISHED' }] });
    expect(response()).toMatchObject({ status: 'FINISHED', quasi_status: 'FINISHED' });
  });

  it('should treat an op-less array of {p} objects as a BATCH, also at the root', () => {
    const { apply, response } = setup();
    apply(snapshot({ status: 'WIP', fragments: [] }), { p: 'response', v: [{ p: 'status', v: 'FINISHED' }] });
    expect(response().status).toBe('FINISHED');
    const root = setup();
    root.apply(snapshot({ status: 'WIP' }), {
      v: [
        { p: 'ban_regenerate', v: true },
        { p: 'status', v: 'CONTENT_FILTER' },
      ],
    });
    expect(root.response()).toMatchObject({ status: 'CONTENT_FILTER', ban_regenerate: true });
  });

  it('should never APPEND to a status path', () => {
    const { apply, response } = setup();
    apply(
      snapshot({ status: 'WIP', fragments: [{ status: 'WIP' }] }),
      { p: 'response/status', o: 'APPEND', v: 'FINISHED' },
      { p: 'response/quasi_status', v: 'FINISHED' },
      { p: 'response/fragments/-1/status', v: 'FINISHED' },
      { p: 'response/search_status', v: 'SEARCHING' },
    );
    expect(response()).toMatchObject({
      status: 'FINISHED',
      quasi_status: 'FINISHED',
      search_status: 'SEARCHING',
      fragments: [{ status: 'FINISHED' }],
    });
  });

  it('should ignore a sticky BATCH whose value is not a patch array, and never wipe the response', () => {
    const { apply, response, ignored } = setup();
    apply(snapshot({ status: 'WIP', content: 'kept' }), { p: 'response', o: 'BATCH', v: [{ p: 'status', v: 'X' }] });
    apply({ v: 'stray token' }, { v: { not: 'patches' } }, { v: [] });
    expect(response()).toEqual({ status: 'X', content: 'kept' });
    expect(ignored).toHaveLength(3);
    apply({ p: 'response', o: 'SET', v: 'oops' }, { p: '', o: 'SET', v: 42 });
    expect(response()).toEqual({ status: 'X', content: 'kept' });
  });

  it('should APPEND to a number or boolean as a SET, and to a missing or null target as a SET', () => {
    const { apply, response } = setup();
    apply(
      snapshot({ accumulated_token_usage: 5, ban_edit: false, feedback: null }),
      { p: 'response/accumulated_token_usage', o: 'APPEND', v: 7 },
      { p: 'response/ban_edit', v: true },
      { p: 'response/feedback', v: 'x' },
      { p: 'response/new_field', v: [1] },
    );
    expect(response()).toMatchObject({ accumulated_token_usage: 7, ban_edit: true, feedback: 'x', new_field: [1] });
  });

  it('should append the string of a {"text":…} or {"content":…} object to a string', () => {
    const { apply, response, appended } = setup();
    apply(
      snapshot({ fragments: [{ type: 'RESPONSE', content: 'a' }] }),
      { p: 'response/fragments/-1/content', o: 'APPEND', v: { text: 'b' } },
      { v: { content: 'c' } },
      { v: { other: 'd' } },
    );
    expect(response().fragments[0].content).toBe('abc');
    expect(appended).toEqual(['response/fragments/-1/content+b', 'response/fragments/-1/content+c']);
  });

  it('should push elements of an array value, or the value itself, onto an array', () => {
    const { apply, response } = setup();
    apply(snapshot({ fragments: [] }), { p: 'response/fragments', o: 'APPEND', v: [{ id: 1 }, { id: 2 }] });
    apply({ v: { id: 3 } });
    expect(response().fragments).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('should create missing intermediate objects and apply unknown paths without error', () => {
    const { apply, document } = setup();
    apply({ p: 'response/a/b/c', o: 'SET', v: 1 }, { p: 'somewhere/else', o: 'APPEND', v: 'x' });
    expect(document.response).toEqual({ a: { b: { c: 1 } } });
  });

  it('should ignore unknown ops and paths that could reach a prototype', () => {
    const { apply, response, ignored } = setup();
    apply(snapshot({ status: 'WIP' }), { p: 'response/status', o: 'DELETE', v: null });
    apply({ p: 'response/__proto__/polluted', o: 'SET', v: true }, { p: 'constructor/prototype/x', v: 1 });
    expect(response().status).toBe('WIP');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(ignored).toHaveLength(3);
  });

  it('should parse paths once and classify the text targets', () => {
    expect(parsePath('response/fragments/-1/content')).toBe(parsePath('response/fragments/-1/content'));
    expect(parsePath('response/fragments/-1/content').target).toBe('fragmentContent');
    expect(parsePath('response/content').target).toBe('answerField');
    expect(parsePath('response/thinking_content').target).toBe('thinkingField');
    expect(parsePath('response/fragments/-1/elapsed_secs').target).toBe('other');
  });

  it('should start from an empty document and root/SET after reset', () => {
    const { apply, patches, document } = setup();
    apply(snapshot({ content: 'a' }), { p: 'response/content', o: 'APPEND', v: 'b' });
    patches.reset();
    expect(document.response).toBeUndefined();
    apply({ v: { response: { content: '' } } });
    expect(document.response).toEqual({ content: '' });
  });
});
