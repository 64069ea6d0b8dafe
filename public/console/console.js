// The operator console: status (GET /admin/status, polled) and a playground (POST /v1/chat/completions,
// streamed). Plain browser JavaScript, no dependency, no build step. Tokens live in sessionStorage only.
'use strict';

const POLL_MS = 3000;
const ADMIN_KEY = 'console.adminToken';
const API_KEY = 'console.apiKey';
const LANG_KEY = 'console.lang';
const SVG_NS = 'http://www.w3.org/2000/svg';

const MESSAGES = {
  en: {
    title: 'DeepSeek web gateway',
    tabStatus: 'Status',
    tabPlayground: 'Playground',
    logout: 'Forget token',
    loginIntro: "This console needs the server's ADMIN_TOKEN. It is kept in this tab only (sessionStorage).",
    adminToken: 'Admin token',
    open: 'Open',
    refused: 'The server refused this admin token (401).',
    disabled: 'The console is disabled on this server (no ADMIN_TOKEN).',
    unreachable: 'The server did not answer: ',
    accounts: 'Accounts',
    colId: 'Id',
    colState: 'State',
    colUntil: 'Until',
    colInflight: 'In flight',
    colGenerations: 'Generations (1 h)',
    colLastError: 'Last error',
    noAccounts: 'No server accounts (DEEPSEEK_TOKENS is empty).',
    apiKeys: 'Official API keys',
    colRequests: 'Requests',
    upstreamMode: 'Upstream',
    answers: 'Answers web / API',
    queue: 'Queue',
    lastHour: 'Last hour (this replica)',
    chartRequests: 'Requests per minute',
    chartTtft: 'Time to first token, p50 / p95 (ms)',
    chartErrors: 'Upstream errors per minute',
    chartQueue: 'Longest queue wait (ms)',
    updated: 'Updated',
    mode: 'Mode',
    version: 'Version',
    uptime: 'Uptime',
    requestsHour: 'Requests (1 h)',
    ttftHour: 'TTFT p50 / p95',
    waiting: 'Waiting now',
    waits: 'Waits (1 h)',
    waitAvg: 'Average wait',
    waitMax: 'Longest wait',
    noErrors: 'No upstream errors in the last hour.',
    suspended: 'suspended',
    apiKey: 'API key',
    apiKeyHelp: 'Sent as Authorization: Bearer to /v1; kept in this tab only (sessionStorage).',
    loadModels: 'Load models',
    model: 'Model',
    thinking: 'Thinking',
    search: 'Search',
    send: 'Send',
    stop: 'Stop',
    reasoning: 'Reasoning',
    answer: 'Answer',
    prompt: 'Your message',
    needKey: 'Enter an API key first.',
    ttft: 'time to first token',
    total: 'total',
    streaming: 'streaming…',
    stopped: 'stopped',
    states: {
      idle: 'idle',
      generating: 'generating',
      quota: 'quota',
      cooling: 'cooling',
      muted: 'muted',
      banned: 'banned',
      invalid: 'invalid',
      ready: 'ready',
      no_balance: 'no balance',
    },
  },
  zh: {
    title: 'DeepSeek 网页网关',
    tabStatus: '状态',
    tabPlayground: '调试台',
    logout: '清除令牌',
    loginIntro: '此控制台需要服务器的 ADMIN_TOKEN，令牌仅保存在当前标签页（sessionStorage）。',
    adminToken: '管理令牌',
    open: '打开',
    refused: '服务器拒绝了此管理令牌（401）。',
    disabled: '此服务器未启用控制台（未设置 ADMIN_TOKEN）。',
    unreachable: '服务器无响应：',
    accounts: '账号',
    colId: 'ID',
    colState: '状态',
    colUntil: '截止',
    colInflight: '进行中',
    colGenerations: '生成次数（1 小时）',
    colLastError: '最近错误',
    noAccounts: '没有服务器账号（DEEPSEEK_TOKENS 为空）。',
    apiKeys: '官方 API key',
    colRequests: '请求数',
    upstreamMode: '上游',
    answers: '回答数 网页 / API',
    queue: '队列',
    lastHour: '最近一小时（本副本）',
    chartRequests: '每分钟请求数',
    chartTtft: '首字延迟 p50 / p95（毫秒）',
    chartErrors: '每分钟上游错误',
    chartQueue: '最长排队等待（毫秒）',
    updated: '更新于',
    mode: '模式',
    version: '版本',
    uptime: '运行时间',
    requestsHour: '请求（1 小时）',
    ttftHour: '首字延迟 p50 / p95',
    waiting: '当前排队',
    waits: '排队次数（1 小时）',
    waitAvg: '平均等待',
    waitMax: '最长等待',
    noErrors: '最近一小时没有上游错误。',
    suspended: '已停用',
    apiKey: 'API 密钥',
    apiKeyHelp: '以 Authorization: Bearer 发送到 /v1，仅保存在当前标签页（sessionStorage）。',
    loadModels: '加载模型',
    model: '模型',
    thinking: '深度思考',
    search: '联网搜索',
    send: '发送',
    stop: '停止',
    reasoning: '思考过程',
    answer: '回答',
    prompt: '输入消息',
    needKey: '请先输入 API 密钥。',
    ttft: '首字延迟',
    total: '总耗时',
    streaming: '生成中…',
    stopped: '已停止',
    states: {
      idle: '空闲',
      generating: '生成中',
      quota: '配额用尽',
      cooling: '冷却中',
      muted: '禁言',
      banned: '封禁',
      invalid: '无效',
      ready: '可用',
      no_balance: '余额不足',
    },
  },
};

const $ = (id) => document.getElementById(id);
let lang = pickLanguage();
let view = 'status';
let lastStatus = null;
let pollTimer = null;
let playAbort = null;

function pickLanguage() {
  const saved = sessionStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

function t(key) {
  return MESSAGES[lang][key] ?? MESSAGES.en[key] ?? key;
}

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  $('prompt').placeholder = t('prompt');
  $('lang').textContent = lang === 'zh' ? 'English' : '中文';
  if (lastStatus) renderStatus(lastStatus);
}

function show(element, visible) {
  element.hidden = !visible;
}

function showError(element, text) {
  element.textContent = text || '';
  show(element, Boolean(text));
}

// ---- access ----

function adminToken() {
  return sessionStorage.getItem(ADMIN_KEY);
}

function showLogin(message) {
  stopPolling();
  show($('login'), true);
  show($('tabs'), false);
  show($('logout'), false);
  show($('view-status'), false);
  show($('view-playground'), false);
  showError($('login-error'), message);
  $('admin-token').focus();
}

function showConsole() {
  show($('login'), false);
  show($('tabs'), true);
  show($('logout'), true);
  selectView(view);
}

function selectView(name) {
  view = name;
  for (const tab of document.querySelectorAll('.tab')) tab.classList.toggle('active', tab.dataset.view === name);
  show($('view-status'), name === 'status');
  show($('view-playground'), name === 'playground');
  if (name === 'playground' && $('model').options.length === 0 && $('api-key').value) void loadModels();
}

// ---- status ----

function stopPolling() {
  if (pollTimer !== null) clearTimeout(pollTimer);
  pollTimer = null;
}

async function poll() {
  stopPolling();
  const token = adminToken();
  if (!token) return showLogin('');
  let res;
  try {
    res = await fetch('/admin/status', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch (error) {
    showError($('banner'), t('unreachable') + String(error && error.message ? error.message : error));
    pollTimer = setTimeout(poll, POLL_MS);
    return;
  }
  if (res.status === 401) {
    sessionStorage.removeItem(ADMIN_KEY);
    return showLogin(t('refused'));
  }
  if (res.status === 404) return showLogin(t('disabled'));
  if (!res.ok) {
    showError($('banner'), `${t('unreachable')}HTTP ${res.status}`);
  } else {
    showError($('banner'), '');
    lastStatus = await res.json();
    if ($('tabs').hidden) showConsole();
    renderStatus(lastStatus);
  }
  pollTimer = setTimeout(poll, POLL_MS);
}

function formatMs(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function formatDuration(seconds) {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return m ? `${m}m ${s}s` : `${s}s`;
}

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en') : '–';
}

function renderFacts(list, facts) {
  list.replaceChildren(
    ...facts.map(([label, value]) => {
      const item = document.createElement('div');
      const dt = document.createElement('dt');
      const dd = document.createElement('dd');
      dt.textContent = label;
      dd.textContent = value;
      item.append(dt, dd);
      return item;
    }),
  );
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderStatus(status) {
  const hour = status.last_hour;
  renderFacts($('facts'), [
    [t('mode'), status.mode],
    [t('version'), status.version],
    [t('uptime'), formatDuration(status.uptime_seconds)],
    [t('requestsHour'), String(hour.requests)],
    [t('ttftHour'), `${formatMs(hour.ttft_p50_ms)} / ${formatMs(hour.ttft_p95_ms)}`],
    [t('upstreamMode'), status.upstream.mode],
    [t('answers'), `${status.upstream.answers.web} / ${status.upstream.answers.api}`],
  ]);
  renderApiKeys(status.upstream.api_keys);
  const rows = status.accounts.map((account) => {
    const tr = document.createElement('tr');
    tr.dataset.account = account.id;
    const state =
      (MESSAGES[lang].states[account.state] || account.state) + (account.suspended ? ` (${t('suspended')})` : '');
    tr.append(
      cell(account.id, 'id'),
      cell(state, `state state-${account.state}`),
      cell(account.until ? formatTime(account.until) : '–'),
      cell(String(account.inflight)),
      cell(String(account.generations_last_hour)),
      cell(account.last_error ? `${account.last_error.kind} · ${formatTime(account.last_error.at)}` : '–'),
    );
    return tr;
  });
  $('accounts').tBodies[0].replaceChildren(...rows);
  show($('no-accounts'), rows.length === 0);
  renderFacts($('queue'), [
    [t('waiting'), String(status.queue.waiting)],
    [t('waits'), String(status.queue.waits_last_hour)],
    [t('waitAvg'), formatMs(status.queue.wait_avg_ms)],
    [t('waitMax'), formatMs(status.queue.wait_max_ms)],
  ]);
  const minutes = status.minutes;
  const errorsPerMinute = minutes.map((m) => Object.values(m.errors).reduce((sum, n) => sum + n, 0));
  drawChart($('chart-requests'), [{ values: minutes.map((m) => m.requests), kind: 'bar', className: 'bar' }]);
  drawChart($('chart-ttft'), [
    { values: minutes.map((m) => m.ttft_p50_ms), kind: 'line', className: 'line' },
    { values: minutes.map((m) => m.ttft_p95_ms), kind: 'line', className: 'line p95' },
  ]);
  drawChart($('chart-errors'), [{ values: errorsPerMinute, kind: 'bar', className: 'bar err' }]);
  drawChart($('chart-queue'), [
    { values: minutes.map((m) => m.queue_wait_max_ms), kind: 'line', className: 'line queue' },
  ]);
  const kinds = Object.entries(hour.errors).sort((a, b) => b[1] - a[1]);
  $('error-kinds').textContent = kinds.length ? kinds.map(([kind, n]) => `${kind}: ${n}`).join(' · ') : t('noErrors');
  $('updated').textContent = formatTime(status.now);
}

/** The official API's keys (hashed ids only); the section shows only when keys are configured. */
function renderApiKeys(keys) {
  show($('api-keys-section'), keys.length > 0);
  const rows = keys.map((key) => {
    const tr = document.createElement('tr');
    tr.dataset.apiKey = key.id;
    tr.append(
      cell(key.id, 'id'),
      cell(MESSAGES[lang].states[key.state] || key.state, `state state-${key.state}`),
      cell(key.until ? formatTime(key.until) : '–'),
      cell(`${key.inflight} / ${key.concurrency}`),
      cell(String(key.requests)),
      cell(key.last_error ? `${key.last_error.kind} · ${formatTime(key.last_error.at)}` : '–'),
    );
    return tr;
  });
  $('api-keys').tBodies[0].replaceChildren(...rows);
}

// ---- charts: one tiny SVG per series set, 60 minutes wide ----

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function drawChart(svg, series) {
  const width = 500;
  const height = 90;
  const top = 12;
  const bottom = height - 12;
  const numbers = series.flatMap((s) => s.values.filter((v) => typeof v === 'number'));
  const max = Math.max(1, ...numbers);
  const count = series[0].values.length;
  const step = width / count;
  const y = (value) => bottom - (value / max) * (bottom - top);
  const children = [
    svgElement('line', { x1: 0, y1: bottom, x2: width, y2: bottom, class: 'axis' }),
    svgElement('line', { x1: 0, y1: top, x2: width, y2: top, class: 'axis' }),
  ];
  for (const s of series) {
    if (s.kind === 'bar') {
      s.values.forEach((value, i) => {
        if (!value) return;
        const h = bottom - y(value);
        children.push(
          svgElement('rect', {
            x: i * step + 0.5,
            y: bottom - h,
            width: Math.max(1, step - 1),
            height: h,
            class: s.className,
          }),
        );
      });
    } else {
      // A line through the minutes that have a value, a gap where one has none, and a dot on each value.
      let path = '';
      let pen = 'M';
      s.values.forEach((value, i) => {
        if (typeof value !== 'number') {
          pen = 'M';
          return;
        }
        const [cx, cy] = [(i + 0.5) * step, y(value).toFixed(1)];
        path += `${pen}${cx},${cy} `;
        pen = 'L';
        children.push(svgElement('circle', { cx, cy, r: 2, class: `dot ${s.className}` }));
      });
      if (path) children.push(svgElement('path', { d: path.trim(), class: s.className }));
    }
  }
  const label = svgElement('text', { x: 2, y: top - 3 });
  label.textContent = String(Math.round(max));
  const start = svgElement('text', { x: 2, y: height - 2 });
  start.textContent = '−60 min';
  const end = svgElement('text', { x: width - 2, y: height - 2, 'text-anchor': 'end' });
  end.textContent = 'now';
  children.push(label, start, end);
  svg.replaceChildren(...children);
}

// ---- playground ----

function apiHeaders() {
  return { authorization: `Bearer ${$('api-key').value.trim()}`, 'content-type': 'application/json' };
}

async function errorText(res) {
  const body = await res.json().catch(() => null);
  const message = body && body.error && body.error.message ? body.error.message : res.statusText;
  return `HTTP ${res.status}: ${message}`;
}

async function loadModels() {
  const key = $('api-key').value.trim();
  if (!key) return showError($('play-error'), t('needKey'));
  sessionStorage.setItem(API_KEY, key);
  showError($('play-error'), '');
  try {
    const res = await fetch('/v1/models', { headers: apiHeaders() });
    if (!res.ok) return showError($('play-error'), await errorText(res));
    const { data } = await res.json();
    const select = $('model');
    const previous = select.value;
    select.replaceChildren(...data.map((model) => new Option(model.id, model.id)));
    if (data.some((model) => model.id === previous)) select.value = previous;
  } catch (error) {
    showError($('play-error'), t('unreachable') + String(error && error.message ? error.message : error));
  }
}

function showTiming(startedAt, firstAt, endedAt) {
  const parts = [];
  if (firstAt !== null) parts.push(`${t('ttft')} ${formatMs(firstAt - startedAt)}`);
  parts.push(endedAt === null ? t('streaming') : `${t('total')} ${formatMs(endedAt - startedAt)}`);
  $('timing').textContent = parts.join(' · ');
  $('timing').dataset.done = endedAt === null ? 'false' : 'true';
}

/** One SSE event (its lines); returns false at `[DONE]`. */
function handleEvent(lines, onChunk) {
  const data = lines
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''))
    .join('\n');
  if (!data) return true;
  if (data === '[DONE]') return false;
  onChunk(JSON.parse(data));
  return true;
}

async function send(event) {
  event.preventDefault();
  const key = $('api-key').value.trim();
  if (!key) return showError($('play-error'), t('needKey'));
  sessionStorage.setItem(API_KEY, key);
  showError($('play-error'), '');
  $('reasoning').textContent = '';
  $('answer').textContent = '';
  const body = {
    model: $('model').value,
    stream: true,
    messages: [{ role: 'user', content: $('prompt').value }],
    thinking: { type: $('thinking').checked ? 'enabled' : 'disabled' },
  };
  if ($('search').checked) body.web_search_options = {};
  playAbort = new AbortController();
  $('send').disabled = true;
  $('stop').disabled = false;
  const startedAt = performance.now();
  let firstAt = null;
  showTiming(startedAt, null, null);
  const onChunk = (chunk) => {
    if (chunk.error) throw new Error(chunk.error.message || 'stream error');
    const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
    if (!delta) return;
    const reasoning = delta.reasoning_content || '';
    const content = delta.content || '';
    if ((reasoning || content) && firstAt === null) firstAt = performance.now();
    if (reasoning) $('reasoning').textContent += reasoning;
    if (content) $('answer').textContent += content;
    showTiming(startedAt, firstAt, null);
  };
  try {
    const res = await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: apiHeaders(),
      body: JSON.stringify(body),
      signal: playAbort.signal,
    });
    if (!res.ok) {
      showError($('play-error'), await errorText(res));
    } else {
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let open = true;
      while (open) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let match;
        while (open && (match = /\r?\n\r?\n/.exec(buffer))) {
          const lines = buffer.slice(0, match.index);
          buffer = buffer.slice(match.index + match[0].length);
          open = handleEvent(lines, onChunk);
        }
      }
      if (open && buffer.trim()) handleEvent(buffer, onChunk);
    }
  } catch (error) {
    const aborted = error && error.name === 'AbortError';
    showError($('play-error'), aborted ? t('stopped') : String(error && error.message ? error.message : error));
  } finally {
    showTiming(startedAt, firstAt, performance.now());
    $('send').disabled = false;
    $('stop').disabled = true;
    playAbort = null;
  }
}

// ---- wiring ----

function start() {
  applyLanguage();
  $('lang').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    sessionStorage.setItem(LANG_KEY, lang);
    applyLanguage();
  });
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(ADMIN_KEY, $('admin-token').value.trim());
    $('admin-token').value = '';
    void poll();
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem(ADMIN_KEY);
    lastStatus = null;
    showLogin('');
  });
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => selectView(tab.dataset.view));
  }
  $('api-key').value = sessionStorage.getItem(API_KEY) || '';
  $('api-key').addEventListener('change', () => void loadModels());
  $('load-models').addEventListener('click', () => void loadModels());
  $('play-form').addEventListener('submit', (event) => void send(event));
  $('stop').addEventListener('click', () => playAbort && playAbort.abort());
  if (adminToken()) void poll();
  else showLogin('');
}

start();
