// A TCP proxy on 127.0.0.1 between an enforcer and PostgreSQL, to misbehave as networks and
// middleboxes do: `blackhole()` stops forwarding in both directions while keeping every
// connection open (a half-open path: neither end sees a reset, the server's side stays idle),
// and `rewrite` edits what the client sends (a middlebox that swallows settings). Bytes are
// rewritten within each chunk only: node-postgres sends each message in one write, and a
// same-length replacement keeps the protocol's length fields right.

import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** The same URL with host and port replaced by the proxy's. */
  via(url: string): string;
  blackhole(): void;
  /** Reset every connection (the path comes back and the peers notice theirs are dead). */
  resetAll(): void;
  connections(): number;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Applied to every chunk from the client to the server. */
  rewrite?: (chunk: Buffer) => Buffer;
}

export async function startProxy(target: { host: string; port: number }, o: ProxyOptions = {}): Promise<TcpProxy> {
  let holed = false;
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (d: Buffer) => {
      if (!holed) upstream.write(o.rewrite ? o.rewrite(d) : d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!holed) client.write(d);
    });
    // A blackholed path passes no end-of-stream either.
    for (const s of [client, upstream]) {
      s.on('error', () => (holed ? undefined : end()));
      s.on('close', () => (holed ? undefined : end()));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    via(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    blackhole() {
      holed = true;
    },
    resetAll() {
      for (const s of sockets) s.resetAndDestroy();
      sockets.clear();
    },
    connections: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Replace every occurrence of `from` by `to` (same length) in a chunk. */
export function replaceBytes(from: string, to: string): (chunk: Buffer) => Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('replacement must keep the length');
  const a = Buffer.from(from);
  const b = Buffer.from(to);
  return (chunk) => {
    let i = chunk.indexOf(a);
    if (i < 0) return chunk;
    const out = Buffer.from(chunk);
    for (; i >= 0; i = out.indexOf(a, i + a.length)) b.copy(out, i);
    return out;
  };
}
