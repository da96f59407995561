import type { StatsdLineSink } from './statsd-client';

export interface MetricsEmitterProps {
  /** Where formatted payloads go (hot-shots, see {@link StatsdLineSink}). */
  readonly sink: StatsdLineSink;
  /** Full timer name including the prefix, already validated (letters, digits, `_`, `-`, `.`). */
  readonly metricName: string;
  /** statsd sample rate: a timer is sent with probability r and tagged `|@r`. @default 1 */
  readonly sampleRate?: number;
  /**
   * Largest payload handed to the sink in one call, in bytes; 0 hands over every line alone (unbuffered).
   * Keep it equal to the client's `maxBufferSize` so a datagram never exceeds it.
   * @default 1432
   */
  readonly maxPayloadBytes?: number;
  /** Random source in [0, 1) for delays and sampling, replaceable in tests. @default Math.random */
  readonly random?: () => number;
}

/** Largest delay of the original exercise: a uniformly random 0..1000 ms. */
export const MAX_DELAY_MS = 1000;

/**
 * Emits the `test.core.delay` statsd timer. It formats the lines itself and hands hot-shots whole payloads of up
 * to `maxPayloadBytes`: the name is validated once at start-up, so the per-metric argument parsing and name
 * sanitising of `client.timing()` (and its re-measuring of the whole buffer for every line) are skipped, while
 * hot-shots still does the buffering, flushing, transport, DNS caching, error handling and close.
 */
export class MetricsEmitter {
  private readonly sink: StatsdLineSink;
  private readonly linePrefix: string;
  private readonly lineSuffix: string;
  private readonly sampleRate: number;
  private readonly maxPayloadBytes: number;
  private readonly random: () => number;
  private sentCount = 0;
  private sampledOutCount = 0;
  private payloadCount = 0;

  constructor(props: MetricsEmitterProps) {
    const sampleRate = props.sampleRate ?? 1;
    if (!(sampleRate > 0 && sampleRate <= 1)) throw new RangeError(`sampleRate must be in (0, 1], got ${sampleRate}`);
    if (!/^[A-Za-z0-9_.-]+$/.test(props.metricName)) {
      throw new RangeError(`metricName must match [A-Za-z0-9_.-]+, got ${JSON.stringify(props.metricName)}`);
    }
    this.sink = props.sink;
    this.sampleRate = sampleRate;
    this.linePrefix = `${props.metricName}:`;
    this.lineSuffix = timerLineSuffix(sampleRate);
    this.maxPayloadBytes = props.maxPayloadBytes ?? 1432;
    this.random = props.random ?? Math.random;
  }

  /** Sends `count` timers, each a fresh random delay of 0..1000 ms (the original app sent one per tick). */
  emitRandomDelays(count: number): void {
    let payload = '';
    for (let i = 0; i < count; i++) {
      if (this.sampleRate < 1 && this.random() >= this.sampleRate) {
        this.sampledOutCount++;
        continue;
      }
      // Names are ASCII (validated), so string length is the byte length.
      const line = this.linePrefix + Math.floor(this.random() * (MAX_DELAY_MS + 1)) + this.lineSuffix;
      if (payload.length > 0 && payload.length + 1 + line.length > this.maxPayloadBytes) {
        this.handOver(payload);
        payload = line;
      } else {
        payload = payload.length > 0 ? `${payload}\n${line}` : line;
      }
      this.sentCount++;
    }
    if (payload.length > 0) this.handOver(payload);
  }

  /** Timers handed to the client (after sampling). */
  get sent(): number {
    return this.sentCount;
  }

  /** Timers dropped by sampling. */
  get sampledOut(): number {
    return this.sampledOutCount;
  }

  /** Calls to the client (each at most `maxPayloadBytes`; the client may merge several into one datagram). */
  get payloads(): number {
    return this.payloadCount;
  }

  private handOver(payload: string): void {
    this.payloadCount++;
    this.sink.send(payload);
  }
}

/** What follows the value in a timer line: `|ms`, and `|@r` when sampled. */
export function timerLineSuffix(sampleRate: number): string {
  return sampleRate < 1 ? `|ms|@${plainDecimal(sampleRate)}` : '|ms';
}

/** `r` without exponent notation: statsd reads `|@1e-7` as a rate of 1 (it only takes digits and dots). */
function plainDecimal(r: number): string {
  const text = String(r);
  return text.includes('e') ? r.toFixed(20).replace(/0+$/, '') : text;
}
