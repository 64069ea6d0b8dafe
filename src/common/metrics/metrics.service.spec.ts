import { MetricsService } from './metrics.service';

const line = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(name));

describe('MetricsService', () => {
  it('should count a finished chat request with its model, or other for an unknown model', async () => {
    const metrics = new MetricsService({ knownModels: ['deepseek-chat'] });
    const base = { method: 'POST', route: '/v1/chat/completions', status: 200, durationMs: 1200, stream: true };
    metrics.requestFinished({ ...base, model: 'DeepSeek-Chat', ttfbMs: 300, streamMs: 900, promptTokens: 5 });
    metrics.requestFinished({ ...base, model: 'whatever-you-like', upstreamError: 'bad_response' });
    const text = await metrics.metrics();
    expect(line(text, 'deepseek_gateway_http_requests_total')).toEqual([
      'deepseek_gateway_http_requests_total{route="/v1/chat/completions",method="POST",status="200",model="deepseek-chat",stream="true"} 1',
      'deepseek_gateway_http_requests_total{route="/v1/chat/completions",method="POST",status="200",model="other",stream="true"} 1',
    ]);
    expect(line(text, 'deepseek_gateway_chat_stream_duration_seconds_sum')).toEqual([
      'deepseek_gateway_chat_stream_duration_seconds_sum{model="deepseek-chat"} 0.9',
    ]);
    expect(line(text, 'deepseek_gateway_chat_tokens_total')).toEqual([
      'deepseek_gateway_chat_tokens_total{type="prompt"} 5',
    ]);
    expect(line(text, 'deepseek_gateway_upstream_errors_total')).toEqual([
      'deepseek_gateway_upstream_errors_total{kind="bad_response",phase="stream"} 1',
    ]);
  });

  it('should read the pool gauges from the watched source at scrape time', async () => {
    const metrics = new MetricsService();
    expect(line(await metrics.metrics(), 'deepseek_gateway_pool_accounts{')).toEqual([]);
    let busy = 1;
    const counts = () => ({
      idle: 2,
      busy,
      cooling: 0,
      quota: 1,
      muted: 0,
      banned: 0,
      invalid: 1,
      waiting: 3,
      leases: busy,
    });
    metrics.watchPool(counts, () => [{ id: 'a1b2c3d4e5f6', state: busy ? 'generating' : 'idle' }]);
    expect(line(await metrics.metrics(), 'deepseek_gateway_pool_accounts{state="busy"}')).toEqual([
      'deepseek_gateway_pool_accounts{state="busy"} 1',
    ]);
    busy = 0;
    const text = await metrics.metrics();
    expect(line(text, 'deepseek_gateway_pool_accounts{state="busy"}')).toEqual([
      'deepseek_gateway_pool_accounts{state="busy"} 0',
    ]);
    expect(line(text, 'deepseek_gateway_pool_waiting_requests')).toEqual(['deepseek_gateway_pool_waiting_requests 3']);
    expect(line(text, 'deepseek_gateway_pool_accounts{state="quota"}')).toEqual([
      'deepseek_gateway_pool_accounts{state="quota"} 1',
    ]);
    expect(line(text, 'deepseek_gateway_account_state{account="a1b2c3d4e5f6",state="idle"}')).toEqual([
      'deepseek_gateway_account_state{account="a1b2c3d4e5f6",state="idle"} 1',
    ]);
    expect(line(text, 'deepseek_gateway_account_state{account="a1b2c3d4e5f6",state="generating"}')).toEqual([
      'deepseek_gateway_account_state{account="a1b2c3d4e5f6",state="generating"} 0',
    ]);
  });

  it('should keep two services apart and share the process series', async () => {
    const a = new MetricsService();
    const b = new MetricsService();
    a.observePowSolve(20);
    expect(line(await a.metrics(), 'deepseek_gateway_pow_solve_seconds_count')).toEqual([
      'deepseek_gateway_pow_solve_seconds_count 1',
    ]);
    expect(line(await b.metrics(), 'deepseek_gateway_pow_solve_seconds_count')).toEqual([
      'deepseek_gateway_pow_solve_seconds_count 0',
    ]);
    expect(line(await b.metrics(), 'nodejs_eventloop_lag_seconds ')).toHaveLength(1);
  });
});
