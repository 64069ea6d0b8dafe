import { testTokensConfig } from '../../../test/utils/tokens/test-tokens-config';
import { accountIdOf } from './account';
import { AccountHealthService } from './account-health.service';

const HOUR = 3_600_000;

describe('AccountHealthService', () => {
  it('should space generations by the minimum interval, counted from the last send', async () => {
    const health = new AccountHealthService(testTokensConfig({ accountMinIntervalMs: 400 }));
    await health.claimStart('a', 1_000);
    health.markSent('a', 1_300);

    expect(health.condition('a', 1_500)).toEqual({ kind: 'quota', until: 1_700 });
    expect(health.condition('a', 1_700)).toEqual({ kind: 'ready' });
  });

  it('should hold an account at its hourly quota until the oldest generation of the window is an hour old', async () => {
    const health = new AccountHealthService(testTokensConfig({ accountMaxPerHour: 2 }));
    await health.claimStart('a', 0);
    await health.claimStart('a', 10_000);

    expect(health.condition('a', 20_000)).toEqual({ kind: 'quota', until: HOUR });
    expect(health.condition('a', HOUR)).toEqual({ kind: 'ready' });
    expect(health.facts('a', HOUR).generationsLastHour).toBe(1);
  });

  it('should keep a ban until restart, ahead of mutes and cooldowns, and say so once', () => {
    const health = new AccountHealthService(testTokensConfig());
    health.markMuted('a', Date.now() + 60_000);
    health.markBanned('a');
    health.markBanned('a');

    expect(health.condition('a')).toEqual({ kind: 'banned', until: Number.POSITIVE_INFINITY });
  });

  it("should never let client tokens push the server's own accounts out of its memory", () => {
    const health = new AccountHealthService(testTokensConfig({ serverTokens: ['tok-pool'], maxKnownAccounts: 10 }));
    const pool = accountIdOf('tok-pool');
    health.markMuted(pool, Date.now() + 60_000);

    for (let i = 0; i < 1_000; i++) health.markInvalid(`client-${i}`);

    expect(health.condition(pool).kind).toBe('muted');
    expect(health.poolIds()).toEqual([pool]);
    expect(health.knownIds()).toHaveLength(11);
  });
});
