import { execFile } from 'node:child_process';

/** Bytes the kernel holds for the loopback TCP connections of one port, as `ss` reports them. */
export interface SocketQueues {
  /** Established connections accepted on the port (its server side). */
  connections: number;
  /** Of those, the ones with bytes queued at either end. */
  busy: number;
  /** Σ Recv-Q (received, not read yet) + Σ Send-Q (written, not acknowledged or not sent yet), both ends. */
  bytes: number;
}

/**
 * Reads the kernel's socket queues of every established connection to or from `port` (both ends live on
 * this machine). Null when `ss` (iproute2) is not there. On loopback, Send-Q is what the receiver's window
 * did not take yet and Recv-Q what its application did not read.
 */
export function socketQueues(port: number): Promise<SocketQueues | null> {
  const filter = `( sport = :${port} or dport = :${port} )`;
  return new Promise((resolve) => {
    execFile('ss', ['-tnH', 'state', 'established', filter], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      if (error) return resolve(null);
      const byConnection = new Map<string, number>();
      let connections = 0;
      let bytes = 0;
      for (const line of stdout.split('\n')) {
        const [recvQ, sendQ, local, peer] = line.trim().split(/\s+/);
        if (peer === undefined) continue;
        const queued = Number(recvQ) + Number(sendQ);
        bytes += queued;
        const serverSide = local.endsWith(`:${port}`);
        if (serverSide) connections++;
        // Both ends of one connection, keyed by the client's address.
        const key = serverSide ? peer : local;
        byConnection.set(key, (byConnection.get(key) ?? 0) + queued);
      }
      const busy = [...byConnection.values()].filter((queued) => queued > 0).length;
      resolve({ connections, busy, bytes });
    });
  });
}
