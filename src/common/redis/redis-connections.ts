import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis, { type RedisOptions } from 'ioredis';

/**
 * The Redis connections of one process: commands, and a subscriber (a subscribed connection can run
 * nothing else). Commands fail at once while Redis is unreachable (no offline queue: a lease must not
 * wait for a reconnect that may never come); both connections reconnect on their own, and the
 * subscriber subscribes again.
 */
export class RedisConnections {
  private readonly logger = new Logger('Redis');
  readonly command: Redis;
  readonly subscriber: Redis;
  /** Names this process in what it publishes, so it can ignore its own messages. */
  readonly replicaId = randomUUID();
  private up = false;

  constructor(url: string) {
    const options: RedisOptions = {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
    };
    this.command = new Redis(url, options);
    this.subscriber = new Redis(url, { ...options, enableOfflineQueue: true });
    // The URL can hold a password: only the state goes to the log.
    this.command.on('ready', () => {
      if (!this.up) this.logger.log('connected');
      this.up = true;
    });
    this.command.on('error', () => {
      if (this.up) this.logger.error('connection lost; reconnecting');
      this.up = false;
    });
    this.subscriber.on('error', () => undefined);
  }

  /** Resolves once both connections are up, or after `ms` (the server starts anyway and keeps trying). */
  async whenReady(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!(this.ready && this.subscriber.status === 'ready')) {
      if (Date.now() > deadline) {
        this.logger.error(`not reachable within ${ms} ms; leases fail until it is (REDIS_FAILURE_MODE)`);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return true;
  }

  get ready(): boolean {
    return this.command.status === 'ready';
  }

  /** Closes both connections and stops reconnecting; resolves once they ended. */
  async close(): Promise<void> {
    await Promise.all([this.command, this.subscriber].map(closeConnection));
  }
}

function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    // A connection between reconnect attempts may not say `end`: stop waiting after a moment.
    const timer = setTimeout(done, 500);
    timer.unref();
    connection.once('end', done);
    if (connection.status === 'ready') connection.quit().catch(() => connection.disconnect());
    else connection.disconnect();
  });
}
