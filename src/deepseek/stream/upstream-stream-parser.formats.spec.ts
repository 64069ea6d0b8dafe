import { eventsOfType, named, parse, sseBody } from '../../../test/utils/deepseek/stream-test-kit';

const READY = named('ready', { request_message_id: 1, response_message_id: 2 });
const CLOSE = named('close', { click_behavior: 'none', auto_resume: false });

describe('UpstreamStreamParser: Format A (choices/delta)', () => {
  const chunk = (delta: Record<string, unknown>, usage: number, extra: Record<string, unknown> = {}) => ({
    choices: [{ index: 0, delta, ...extra }],
    model: '',
    chunk_token_usage: usage,
    created: 1741872935,
    message_id: 2,
    parent_id: 1,
  });
  const body = sseBody(
    chunk({ content: '', type: 'thinking' }, 0),
    chunk({ content: '嗯', type: 'thinking' }, 1),
    chunk(
      {
        type: 'search_result',
        search_results: [
          { url: 'https://example.com/a', title: 'Example', snippet: '…', published_at: 1741089640.0, site_name: 'Ex' },
        ],
      },
      0,
    ),
    chunk({ content: '你好[citation:1]', type: 'text' }, 2),
    chunk({ content: '', type: 'text', role: 'assistant' }, 0, { finish_reason: 'stop' }),
    '[DONE]',
  );

  it('should map thinking and text deltas, keep citation markers, and number results by position', () => {
    const result = parse(body);
    expect(result.events).toEqual([
      { type: 'ids', requestMessageId: 1, responseMessageId: 2 },
      { type: 'usage', totalTokens: 0 },
      { type: 'reasoning', text: '嗯' },
      { type: 'usage', totalTokens: 1 },
      {
        type: 'search',
        results: [
          {
            url: 'https://example.com/a',
            title: 'Example',
            snippet: '…',
            citeIndex: 1,
            siteName: 'Ex',
            publishedAt: 1741089640,
          },
        ],
      },
      { type: 'content', text: '你好[citation:1]' },
      { type: 'usage', totalTokens: 3 },
      { type: 'status', status: 'FINISHED' },
      { type: 'close' },
    ]);
    expect(result.message).toMatchObject({
      format: 'A',
      reasoning: '嗯',
      content: '你好[citation:1]',
      status: 'FINISHED',
      accumulatedTokenUsage: 3,
      requestMessageId: 1,
      responseMessageId: 2,
    });
    expect(result.message.searchResults).toHaveLength(1);
  });

  it('should finish on [DONE] without a finish_reason, and map unknown finish reasons to FINISHED', () => {
    expect(parse(sseBody(chunk({ content: 'a', type: 'text' }, 1), '[DONE]')).message.status).toBe('FINISHED');
    const odd = parse(sseBody(chunk({ content: 'a', type: 'text' }, 1, { finish_reason: 'something_new' })));
    expect(eventsOfType(odd.events, 'status')).toEqual([{ type: 'status', status: 'FINISHED' }]);
  });
});

describe('UpstreamStreamParser: Format B (flat paths)', () => {
  const snapshot = {
    v: {
      response: {
        message_id: 2,
        parent_id: 1,
        model: '',
        role: 'ASSISTANT',
        thinking_enabled: true,
        status: 'WIP',
        accumulated_token_usage: 0,
        files: [],
        content: '',
        thinking_content: null,
        thinking_elapsed_secs: null,
        search_status: null,
        search_results: null,
        tips: [],
      },
    },
  };
  const body = sseBody(
    READY,
    named('update_session', { updated_at: 1774012749.15355 }),
    snapshot,
    { p: 'response/thinking_content', v: '嗯' },
    { o: 'APPEND', v: '，' },
    { v: '用户' },
    { p: 'response/thinking_elapsed_secs', o: 'SET', v: 0.5958 },
    { p: 'response/search_status', v: 'SEARCHING' },
    { p: 'response/search_results', v: [{ url: 'https://example.com/a', title: 'A', snippet: '…', cite_index: null }] },
    { p: 'response/search_results', o: 'BATCH', v: [{ p: '0/cite_index', v: 1 }] },
    { p: 'response/search_status', o: 'SET', v: 'FINISHED' },
    { p: 'response/content', o: 'APPEND', v: '你好' },
    { v: '[citation:1]' },
    { v: '！' },
    { p: 'response/accumulated_token_usage', o: 'SET', v: 39 },
    { p: 'response/status', v: 'FINISHED' },
    named('finish', {}),
    named('title', { content: 'Greeting' }),
    CLOSE,
  );

  it('should stream thinking_content and content, and the search list whenever it changes', () => {
    const result = parse(body);
    expect(result.reasoning).toBe('嗯，用户');
    expect(result.content).toBe('你好[citation:1]！');
    expect(eventsOfType(result.events, 'search').map((event) => event.results.map((r) => r.citeIndex))).toEqual([
      [null],
      [1],
    ]);
    expect(eventsOfType(result.events, 'ids')).toEqual([{ type: 'ids', requestMessageId: 1, responseMessageId: 2 }]);
    expect(result.events.map((event) => event.type).slice(-4)).toEqual(['usage', 'status', 'title', 'close']);
  });

  it('should describe the message from the document', () => {
    expect(parse(body).message).toEqual({
      format: 'B',
      reasoning: '嗯，用户',
      content: '你好[citation:1]！',
      status: 'FINISHED',
      quasiStatus: null,
      accumulatedTokenUsage: 39,
      requestMessageId: 1,
      responseMessageId: 2,
      title: 'Greeting',
      searchResults: [{ url: 'https://example.com/a', title: 'A', snippet: '…', citeIndex: 1 }],
    });
  });

  it('should emit a content filter template set over the answer as template, never as content', () => {
    const filtered = parse(
      sseBody(
        snapshot,
        { p: 'response/content', o: 'APPEND', v: '部分' },
        { p: 'response/status', o: 'SET', v: 'CONTENT_FILTER' },
        { p: 'response/content', v: '你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。' },
      ),
    );
    expect(filtered.content).toBe('部分');
    expect(filtered.template).toBe('你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。');
    expect(filtered.message.status).toBe('CONTENT_FILTER');
    expect(filtered.message.content).toBe('你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。');
  });
});

describe('UpstreamStreamParser: Format C (fragments)', () => {
  it('should decode the thinking-off shape (2025-11), fragment APPEND inside a BATCH', () => {
    const result = parse(
      sseBody(
        READY,
        {
          v: {
            response: {
              message_id: 2,
              parent_id: 1,
              thinking_enabled: false,
              status: 'WIP',
              accumulated_token_usage: null,
              has_pending_fragment: true,
              fragments: [],
            },
          },
        },
        {
          v: [
            { v: false, p: 'has_pending_fragment' },
            {
              v: [{ id: 1, type: 'RESPONSE', content: '你好', references: [], stage_id: 1 }],
              p: 'fragments',
              o: 'APPEND',
            },
          ],
          p: 'response',
          o: 'BATCH',
        },
        { v: '！', p: 'response/fragments/0/content', o: 'APPEND' },
        { v: '😊' },
        { v: ' ' },
        { v: '看起来' },
        {
          v: [
            { v: 'FINISHED', p: 'status' },
            { v: 115, p: 'accumulated_token_usage' },
          ],
          p: 'response',
          o: 'BATCH',
        },
        named('finish', {}),
        named('title', { content: 'User Greets AI Assistant for Testing' }),
        CLOSE,
      ),
    );
    expect(eventsOfType(result.events, 'content').map((event) => event.text)).toEqual([
      '你好',
      '！',
      '😊',
      ' ',
      '看起来',
    ]);
    expect(result.reasoning).toBe('');
    expect(result.events.filter((event) => event.type === 'usage' || event.type === 'status').slice(-2)).toEqual([
      { type: 'usage', totalTokens: 115 },
      { type: 'status', status: 'FINISHED' },
    ]);
    expect(result.message).toMatchObject({ format: 'C', content: '你好！😊 看起来', status: 'FINISHED' });
  });

  it('should decode the thinking-on shape (2026-04) with the op-less "mark" frame and a TIP', () => {
    const result = parse(
      sseBody(
        READY,
        {
          v: {
            response: {
              message_id: 2,
              parent_id: 1,
              status: 'WIP',
              fragments: [{ id: 2, type: 'THINK', content: '我们' }],
            },
          },
        },
        { p: 'response/fragments/-1/content', o: 'APPEND', v: '只需要' },
        { v: '输出' },
        { p: 'response/fragments/-1/elapsed_secs', o: 'SET', v: 0.765374503 },
        { p: 'response/fragments', o: 'APPEND', v: [{ id: 3, type: 'RESPONSE', content: '```', stage_id: 1 }] },
        { p: 'response/fragments/-1/content', v: 'mark' },
        { v: 'down' },
        { v: '\n' },
        { v: '#' },
        { v: ' ' },
        { v: '```' },
        { p: 'response/fragments', v: [{ id: 4, type: 'TIP', content: '本回答由 AI 生成', style: 'WARNING' }] },
        {
          p: 'response',
          o: 'BATCH',
          v: [
            { p: 'accumulated_token_usage', v: 190 },
            { p: 'quasi_status', v: 'FINISHED' },
          ],
        },
        { p: 'response/status', o: 'SET', v: 'FINISHED' },
      ),
    );
    expect(result.reasoning).toBe('我们只需要输出');
    expect(result.content).toBe('```markdown\n# ```');
    expect(result.message).toMatchObject({
      reasoning: '我们只需要输出',
      content: '```markdown\n# ```',
      status: 'FINISHED',
    });
    expect(result.message.quasiStatus).toBe('FINISHED');
  });

  it('should report TOOL_SEARCH results as search events and keep citation markers in the content', () => {
    const result = parse(
      sseBody(
        { v: { response: { message_id: 2, status: 'WIP', fragments: [] } } },
        {
          p: 'response/fragments',
          o: 'APPEND',
          v: [{ id: 1, type: 'TOOL_SEARCH', queries: ['q'], results: [], status: 'WIP' }],
        },
        {
          p: 'response/fragments/-1/results',
          o: 'SET',
          v: [
            { url: 'https://a.example', title: 'A', snippet: 's', cite_index: 1 },
            { url: 'https://b.example', title: 'B', cite_index: 2 },
          ],
        },
        { p: 'response/fragments/-1/status', v: 'FINISHED' },
        { p: 'response/fragments', o: 'APPEND', v: [{ id: 2, type: 'TOOL_OPEN', result: {}, reference: {} }] },
        { p: 'response/fragments', v: [{ id: 3, type: 'RESPONSE', content: '答[citation:1]' }] },
        { p: 'response/fragments/-1/content', v: '[reference:0]' },
      ),
    );
    expect(result.content).toBe('答[citation:1][reference:0]');
    expect(eventsOfType(result.events, 'search')).toEqual([
      {
        type: 'search',
        results: [
          { url: 'https://a.example', title: 'A', snippet: 's', citeIndex: 1 },
          { url: 'https://b.example', title: 'B', citeIndex: 2 },
        ],
      },
    ]);
    expect(result.message.searchResults.map((r) => r.url)).toEqual(['https://a.example', 'https://b.example']);
  });

  describe('content filter (§8.6)', () => {
    const CANNED = '你好，这个问题我暂时无法回答，让我们换个话题再聊聊吧。';
    const start = [
      { v: { response: { message_id: 2, status: 'WIP', fragments: [{ id: 2, type: 'THINK', content: '想' }] } } },
      { p: 'response/fragments', o: 'APPEND', v: [{ id: 3, type: 'RESPONSE', content: '部分' }] },
      { p: 'response/fragments/-1/content', v: '回答' },
    ];

    it('should emit the TEMPLATE_RESPONSE of the root-form BATCH as template and make it the content', () => {
      const result = parse(
        sseBody(
          ...start,
          {
            p: 'response',
            o: 'BATCH',
            v: [
              { p: 'accumulated_token_usage', v: 1269 },
              { p: 'quasi_status', v: 'FINISHED' },
            ],
          },
          {
            v: [
              { p: 'ban_regenerate', v: true },
              { p: 'status', v: 'CONTENT_FILTER' },
              { p: 'fragments', v: [{ id: 38, type: 'TEMPLATE_RESPONSE', content: CANNED }] },
              { p: 'quasi_status', v: 'CONTENT_FILTER' },
            ],
          },
          named('finish', {}),
        ),
      );
      expect(result.content).toBe('部分回答');
      expect(result.template).toBe(CANNED);
      expect(eventsOfType(result.events, 'status').at(-1)?.status).toBe('CONTENT_FILTER');
      expect(result.events.findIndex((e) => e.type === 'template')).toBeLessThan(
        result.events.findIndex((e) => e.type === 'status' && e.status === 'CONTENT_FILTER'),
      );
      expect(result.message).toMatchObject({ content: CANNED, reasoning: '', status: 'CONTENT_FILTER' });
      expect(result.content + result.message.content).not.toContain('CONTENT_FILTER');
    });

    it('should handle the short shape without a template', () => {
      const result = parse(
        sseBody(...start, {
          p: 'response',
          v: [
            { p: 'status', v: 'CONTENT_FILTER' },
            { p: 'accumulated_token_usage', v: 77 },
          ],
        }),
      );
      expect(result.template).toBe('');
      expect(result.message).toMatchObject({
        status: 'CONTENT_FILTER',
        accumulatedTokenUsage: 77,
        content: '部分回答',
      });
      expect(result.content + result.message.content).not.toContain('CONTENT_FILTER');
    });

    it('should apply an op-less patch list sent while the sticky path is the root to the message', () => {
      const result = parse(
        sseBody(
          { v: { response: { message_id: 2, status: 'WIP', fragments: [] } } },
          {
            v: [
              { p: 'status', v: 'CONTENT_FILTER' },
              { p: 'fragments', v: [{ id: 1, type: 'TEMPLATE_RESPONSE', content: CANNED }] },
            ],
          },
        ),
      );
      expect(result.template).toBe(CANNED);
      expect(result.message).toMatchObject({ status: 'CONTENT_FILTER', content: CANNED });
    });

    it('should not count a template as content while the status is not CONTENT_FILTER', () => {
      const result = parse(
        sseBody({
          v: { response: { status: 'FINISHED', fragments: [{ id: 1, type: 'TEMPLATE_RESPONSE', content: CANNED }] } },
        }),
      );
      expect(result.template).toBe(CANNED);
      expect(result.message.content).toBe('');
    });
  });
});
