import { rawRequest } from '../utils/http/raw-request';
import { type FakeDeepSeek, startFakeDeepSeek } from './index';

describe('fake DeepSeek: the control API', () => {
  let fake: FakeDeepSeek;

  beforeAll(async () => {
    fake = await startFakeDeepSeek({ accounts: ['tok-a'] });
  });
  afterAll(() => fake.close());

  it('should queue a list of 200k faults posted at once', async () => {
    const specs = Array.from({ length: 200_000 }, () => ({ fault: 'busy', account: 'tok-a' }));

    const res = await rawRequest(`${fake.url}/__fake__/faults`, specs, { timeoutMs: 60_000 });

    expect(res.status).toBe(200);
    expect(res.json.added).toHaveLength(200_000);
    expect(res.json.added[199_999]).toMatchObject({ fault: 'busy', account: 'tok-a', remaining: 1 });
    expect(fake.state().faults.queued).toHaveLength(200_000);
    // About a second alone; a loaded CI machine (other suites in parallel) has taken over 5.
  }, 30_000);
});
