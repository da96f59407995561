import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface TcpLineStreamProps {
  /** statsd host name or IP address; looked up again at every (re)connect, so a moved backend is found. */
  readonly host: string;
  readonly port: number;
  /**
   * Most bytes held for statsd (waiting to connect, or written but not yet taken by the kernel). A write that would
   * exceed it is dropped and counted: a slow, stuck or absent statsd costs metrics, never unbounded memory.
   * @default 4 MiB
   */
  readonly maxQueuedBytes?: number;
  /** Delay before the first reconnect after a failure; doubles on each failure in a row. @default 100 */
  readonly minReconnectDelayMs?: number;
  /** Upper bound of the reconnect delay. @default 5000 */
  readonly maxReconnectDelayMs?: number;
  /** A connect that has not completed after this long is abandoned (a black-holed address). @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Every socket and DNS error, and every dropped write (code `ERR_QUEUE_FULL`). Never throws from here. */
  readonly onError: (error: Error) => void;
}

/** Counters of a {@link TcpLineStream}, served in `/stats` as `transport`. */
export interface TcpLineStreamStats {
  readonly connected: boolean;
  /** Successful connects (the first one included). */
  readonly connects: number;
  /** Connections lost or refused after which a reconnect was scheduled. */
  readonly disconnects: number;
  readonly queuedBytes: number;
  readonly maxQueuedBytes: number;
  /** Metrics (lines) dropped because the queue was full, or lost with a connection before the kernel took them. */
  readonly droppedMetrics: number;
  readonly droppedBytes: number;
}

/** What {@link TcpLineStream.closed} resolves with. */
export interface TcpCloseOutcome {
  /** Metrics (lines) that never reached the kernel's socket buffer at close. */
  readonly lostMetrics: number;
  readonly lostBytes: number;
}

const MiB = 1024 * 1024;
/** Pending lines are joined into writes of about this size (fewer syscalls than one per payload). */
const WRITE_CHUNK_BYTES = 64 * 1024;

type State = 'idle' | 'connecting' | 'connected' | 'waiting' | 'closing' | 'closed';

/**
 * statsd's TCP protocol (newline-terminated lines on one connection) as the stream hot-shots writes to
 * (`protocol: 'stream'`). hot-shots' own TCP transport reconnects at most once a second and only on some error codes,
 * so a refused first connect, a peer close or a restart of statsd left it silent for good, and it queued without
 * limit in the socket. This stream:
 *
 * - reconnects after any loss (refused, reset, peer closed, DNS failure, connect timeout) with a bounded exponential
 *   backoff, reset by a successful connect;
 * - holds at most `maxQueuedBytes` (its own queue plus the socket's write buffer) and drops, counts and reports
 *   anything beyond, so memory stays bounded however slow statsd is;
 * - on `destroy()` (hot-shots' `close()`) sends what is queued, connecting once more if it has to, ends the
 *   connection cleanly and resolves {@link closed} with what could not be sent; {@link abort} gives up at once.
 *
 * It implements the part of the stream interface hot-shots uses (`write(data, cb)`, `destroy()`, `destroyed`, events).
 */
export class TcpLineStream extends EventEmitter {
  /** Resolves once closed (after `destroy()` or `abort()`), with what was not handed to the kernel. */
  readonly closed: Promise<TcpCloseOutcome>;
  private readonly props: TcpLineStreamProps;
  private readonly maxQueuedBytes: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly connectTimeoutMs: number;
  private state: State = 'idle';
  private socket: Socket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failuresInARow = 0;
  private pending: string[] = [];
  private pendingHead = 0;
  private pendingBytes = 0;
  private connectCount = 0;
  private disconnectCount = 0;
  private droppedMetricCount = 0;
  private droppedByteCount = 0;
  /** Written to the socket, not yet taken by the kernel (lost if the connection goes), oldest first. */
  private inSocket: string[] = [];
  private inSocketBytes = 0;
  private resolveClosed!: (outcome: TcpCloseOutcome) => void;

  constructor(props: TcpLineStreamProps) {
    super();
    this.props = props;
    this.maxQueuedBytes = props.maxQueuedBytes ?? 4 * MiB;
    this.minDelayMs = props.minReconnectDelayMs ?? 100;
    this.maxDelayMs = Math.max(this.minDelayMs, props.maxReconnectDelayMs ?? 5000);
    this.connectTimeoutMs = props.connectTimeoutMs ?? 5000;
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /** Opens the first connection (writes before it are queued). */
  start(): this {
    if (this.state === 'idle') this.open();
    return this;
  }

  /** True from `destroy()` on: hot-shots checks it and stops writing. */
  get destroyed(): boolean {
    return this.state === 'closing' || this.state === 'closed';
  }

  get stats(): TcpLineStreamStats {
    return {
      connected: this.state === 'connected' || (this.state === 'closing' && this.socket?.readyState === 'open'),
      connects: this.connectCount,
      disconnects: this.disconnectCount,
      queuedBytes: this.queuedBytes(),
      maxQueuedBytes: this.maxQueuedBytes,
      droppedMetrics: this.droppedMetricCount,
      droppedBytes: this.droppedByteCount,
    };
  }

  /** Queues `data` (one or more newline-terminated lines), or drops it when the queue is full. Never fails. */
  write(data: string | Buffer, callback?: (error?: Error | null) => void): boolean {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    const bytes = Buffer.byteLength(text);
    let accepted = false;
    if (this.destroyed) {
      this.drop(text, bytes);
    } else if (this.queuedBytes() + bytes > this.maxQueuedBytes) {
      this.drop(text, bytes);
      this.props.onError(
        Object.assign(new Error(`statsd TCP queue full (${this.maxQueuedBytes} bytes): ${bytes} bytes dropped`), {
          code: 'ERR_QUEUE_FULL',
        }),
      );
    } else {
      this.pending.push(text);
      this.pendingBytes += bytes;
      accepted = true;
      this.pump();
    }
    // Handed over (or dropped and counted): hot-shots may count the message as done.
    if (callback) process.nextTick(callback, null);
    return accepted;
  }

  /** hot-shots' `close()`: send what is queued, then end the connection; see {@link closed}. */
  destroy(): this {
    if (this.destroyed) return this;
    const previous = this.state;
    this.state = 'closing';
    clearTimeout(this.reconnectTimer);
    if (previous === 'connected') {
      this.pump();
    } else if (this.pendingBytes === 0) {
      this.socket?.destroy();
      this.finish();
    } else if (previous !== 'connecting') {
      // Something is queued but there is no connection: one last attempt, bounded by the caller (see abort()).
      this.open();
    }
    return this;
  }

  /** Gives up at once: whatever is still queued or in the socket's buffer is lost (counted in `closed`). */
  abort(): void {
    if (this.state === 'closed') return;
    this.state = 'closing';
    this.finish();
  }

  private queuedBytes(): number {
    return this.pendingBytes + this.inSocketBytes;
  }

  private open(): void {
    if (this.state !== 'closing') this.state = 'connecting';
    const socket = connect({ host: this.props.host, port: this.props.port });
    this.socket = socket;
    this.inSocket = [];
    socket.setTimeout(this.connectTimeoutMs);
    socket.on('timeout', () => {
      socket.destroy(
        Object.assign(new Error(`connect to statsd timed out after ${this.connectTimeoutMs} ms`), {
          code: 'ETIMEDOUT',
        }),
      );
    });
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.setKeepAlive(true, 10_000);
      this.connectCount++;
      this.failuresInARow = 0;
      if (this.state === 'connecting') this.state = 'connected';
      this.pump();
    });
    socket.on('drain', () => this.pump());
    // statsd sends nothing; reading keeps a peer's FIN visible (then 'end', then 'close').
    socket.on('data', () => undefined);
    socket.on('error', (error) => this.props.onError(error));
    // Ended by destroy(): everything reached the kernel, which still delivers it after the socket is closed.
    socket.once('finish', () => {
      if (this.state === 'closing' && socket === this.socket) this.finish();
    });
    socket.once('close', () => this.onClose(socket));
  }

  private onClose(socket: Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    if (this.state === 'closing') {
      this.finish();
      return;
    }
    if (this.state === 'closed') return;
    this.disconnectCount++;
    this.state = 'waiting';
    const delay = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** Math.min(this.failuresInARow, 20));
    this.failuresInARow++;
    this.reconnectTimer = setTimeout(() => {
      if (this.state === 'waiting') this.open();
    }, delay);
  }

  /** Moves pending lines into the socket while it takes them without buffering beyond its high-water mark. */
  private pump(): void {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== 'open') return;
    while (this.pendingBytes > 0 && !socket.writableNeedDrain) {
      const chunk = this.takeChunk();
      const bytes = Buffer.byteLength(chunk);
      const inSocket = this.inSocket;
      inSocket.push(chunk);
      this.inSocketBytes += bytes;
      // A socket completes its writes in order: the oldest entry of its list is this one.
      socket.write(chunk, (error) => {
        inSocket.shift();
        this.inSocketBytes -= bytes;
        // Destroyed before the kernel took it: lost with the connection.
        if (error) this.drop(chunk, bytes);
      });
    }
    if (this.state === 'closing' && this.pendingBytes === 0 && !socket.writableEnded) socket.end();
  }

  private takeChunk(): string {
    const parts: string[] = [];
    let size = 0;
    while (this.pendingHead < this.pending.length && (size === 0 || size < WRITE_CHUNK_BYTES)) {
      const part = this.pending[this.pendingHead++] as string;
      parts.push(part);
      size += Buffer.byteLength(part);
    }
    this.pendingBytes -= size;
    if (this.pendingHead === this.pending.length) {
      this.pending = [];
      this.pendingHead = 0;
    } else if (this.pendingHead > 1024) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    return parts.length === 1 ? (parts[0] as string) : parts.join('');
  }

  private drop(text: string, bytes: number): void {
    this.droppedMetricCount += countLines(text);
    this.droppedByteCount += bytes;
  }

  private finish(): this {
    if (this.state === 'closed') return this;
    clearTimeout(this.reconnectTimer);
    let pendingMetrics = 0;
    for (let i = this.pendingHead; i < this.pending.length; i++)
      pendingMetrics += countLines(this.pending[i] as string);
    let lostMetrics = pendingMetrics;
    for (const chunk of this.inSocket) lostMetrics += countLines(chunk);
    const lostBytes = this.pendingBytes + this.inSocketBytes;
    this.droppedMetricCount += pendingMetrics;
    this.droppedByteCount += this.pendingBytes;
    // The kernel still delivers what it has taken after the close; what is left in the socket's own buffer is counted
    // as dropped by its write callbacks, which fail on destroy.
    this.socket?.destroy();
    this.pending = [];
    this.pendingHead = 0;
    this.pendingBytes = 0;
    this.state = 'closed';
    this.resolveClosed({ lostMetrics, lostBytes });
    this.emit('close');
    return this;
  }
}

/** Lines in a payload: hot-shots terminates every write with a newline. */
function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n === 0 && text.length > 0 ? 1 : n;
}
