import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** An operator's secret (METRICS_TOKEN, ADMIN_TOKEN) checked against `Authorization: Bearer …` in constant time. */
export class BearerSecret {
  private readonly expected: Buffer | null;

  constructor(secret: string | undefined) {
    this.expected = secret ? digest(secret) : null;
  }

  get configured(): boolean {
    return this.expected !== null;
  }

  matches(authorization: string | undefined): boolean {
    if (!this.expected) return false;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    // Comparing fixed-length digests keeps the check constant-time whatever the caller sent.
    return match !== null && timingSafeEqual(digest(match[1]), this.expected);
  }
}
