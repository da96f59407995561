// `npm run bench:metrics` (built by `npm run bench:metrics` itself): the app's emitter against a raw dgram baseline and
// hot-shots, the loss through a real statsd daemon at rising rates, and the app's peak RSS. Everything on 127.0.0.1,
// in one run, so the ratios compare figures taken on the same machine at the same time.
//   node app/lib/bench/metrics.js [--full]
// The default run (about 40 s) measures what the targets are judged on; --full (about 2 min) adds the 5k and 50k
// rates, the rows with a 4 MiB statsd receive buffer, 200,000-timer bursts instead of 100,000, and more rounds. Knobs (env) override either:
// BENCH_ROUNDS, BENCH_DURATION_MS (per steady throughput run), BENCH_BURST (timers per burst), BENCH_BURST_ROUNDS,
// BENCH_RATES, BENCH_RATE_SECONDS.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AppProcess } from '../testing/app-process';
import { StatsdDaemon } from '../testing/daemons/statsd-daemon';
import { EMITTERS } from './emitters';
import type { EmitterName } from './emitters';
import { CarbonLineTotals, CountingUdpSink } from './loopback-sinks';
import type { WorkerResult } from './throughput-worker';

const TARGETS = {
  vsHotShotsBuffered: 1.0,
  vsHotShotsUnbuffered: 8,
  lossFreeRate: 20_000,
  rssDefaultMiB: 64,
  rssAt100kMiB: 128,
};
/** The app's send loop ticks every 10 ms under load, so a rate r means r/100 timers per tick. */
const LOAD_INTERVAL_MS = 10;
const STATSD_FLUSH_MS = 1000;
const MiB = 1024 * 1024;
/** The app at its default rate ticks every 3 s: two ticks and the start-up are in the peak. */
const DEFAULT_RATE_WATCH_MS = 6500;
/** The burst contenders: the two the ratios are quoted against, and the app's emitter. */
const BURST_EMITTERS: readonly EmitterName[] = ['hot-shots-unbuffered', 'hot-shots-buffered', 'app-emitter'];

interface Options {
  readonly full: boolean;
  readonly rounds: number;
  readonly durationMs: number;
  readonly batch: number;
  readonly burst: number;
  readonly burstRounds: number;
  readonly rates: readonly number[];
  readonly rateSeconds: number;
  /** Whether to measure with a 4 MiB statsd receive buffer too (besides the kernel default the platform deploys). */
  readonly bigBuffer: boolean;
}

function options(argv: readonly string[], env: NodeJS.ProcessEnv): Options {
  for (const arg of argv) {
    if (arg !== '--full') throw new Error(`unknown argument ${JSON.stringify(arg)}, expected --full or nothing`);
  }
  const full = argv.includes('--full');
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name] ?? String(def);
    const value = Number(raw);
    if (!/^[0-9]+$/.test(raw) || value < min || value > max) {
      throw new Error(`${name}=${JSON.stringify(raw)} is invalid, expected an integer from ${min} to ${max}`);
    }
    return value;
  };
  const ratesRaw = env.BENCH_RATES ?? (full ? '5000,20000,50000,100000' : '20000,100000');
  const rates = ratesRaw.split(',').map(Number);
  if (!rates.every((r) => Number.isInteger(r) && r >= 100 && r <= 1_000_000 && r % 100 === 0)) {
    throw new Error(
      `BENCH_RATES=${JSON.stringify(ratesRaw)} is invalid, expected multiples of 100 from 100 to 1000000`,
    );
  }
  return {
    full,
    rounds: int('BENCH_ROUNDS', full ? 5 : 3, 1, 50),
    durationMs: int('BENCH_DURATION_MS', 1000, 100, 60_000),
    batch: 1000,
    burst: int('BENCH_BURST', full ? 200_000 : 100_000, 1000, 2_000_000),
    burstRounds: int('BENCH_BURST_ROUNDS', full ? 5 : 3, 0, 50),
    rates,
    rateSeconds: int('BENCH_RATE_SECONDS', full ? 3 : 2, 1, 60),
    bigBuffer: full,
  };
}

// ---------------------------------------------------------------------------------------------- throughput

interface ThroughputRun extends WorkerResult {
  readonly receivedLines: number;
  readonly receivedDatagrams: number;
}

/** Steady: `rounds` runs of each emitter; burst: one synchronous call of `burst` timers per run. */
type Mode = { kind: 'steady'; rounds: number } | { kind: 'burst'; rounds: number };

async function throughput(
  opts: Options,
  mode: Mode,
  names: readonly EmitterName[],
): Promise<Map<EmitterName, ThroughputRun[]>> {
  const sink = await CountingUdpSink.start();
  const runs = new Map<EmitterName, ThroughputRun[]>(names.map((n) => [n, []]));
  try {
    for (let round = 0; round < mode.rounds; round++) {
      // Rotate the order so slow drifts of the machine's load do not always hit the same contender.
      const order = names.map((_, i) => names[(i + round) % names.length] as EmitterName);
      for (const name of order) {
        sink.reset();
        const args =
          mode.kind === 'burst' ? ['burst', String(opts.burst)] : [String(opts.durationMs), String(opts.batch)];
        const result = await runWorker(name, sink.port, args, opts.durationMs + 60_000);
        await new Promise((resolve) => setTimeout(resolve, 100)); // let the last datagrams arrive
        runs.get(name)?.push({ ...result, receivedLines: sink.lines, receivedDatagrams: sink.datagrams });
      }
      process.stderr.write(`${mode.kind} throughput round ${round + 1}/${mode.rounds} done\n`);
    }
  } finally {
    await sink.close();
  }
  return runs;
}

function runWorker(name: EmitterName, port: number, args: readonly string[], timeoutMs: number): Promise<WorkerResult> {
  const worker = join(__dirname, 'throughput-worker.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, name, String(port), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${name} worker exited ${code}: ${err}`));
      resolve(JSON.parse(out) as WorkerResult);
    });
  });
}

// ---------------------------------------------------------------------------------------------- statsd loss + RSS

/** The statsd receive buffers measured: what the platform deploys, and the 4 MiB the figures used to assume. */
const RECEIVE_BUFFERS = [
  { label: 'kernel default (statsd sets none; what compose and Kubernetes run)', size: 'kernel-default' },
  { label: '4 MiB requested', size: 4 * MiB },
] as const;

interface RateRun {
  readonly buffer: string;
  readonly targetRate: number;
  readonly sent: number;
  readonly sentPerSecond: number;
  readonly counted: number;
  readonly peakRssBytes: number;
}

async function lossAndRss(opts: Options): Promise<RateRun[]> {
  const rates: RateRun[] = [];
  for (const buffer of opts.bigBuffer ? RECEIVE_BUFFERS : RECEIVE_BUFFERS.slice(0, 1)) {
    rates.push(...(await lossAndRssWith(opts, buffer)));
  }
  return rates;
}

/**
 * The app at its default rate (one timer every 3 s), started now and measured when the returned function is called
 * (at least DEFAULT_RATE_WATCH_MS later): it idles meanwhile, so it runs beside the throughput runs at no cost to
 * them (one datagram every 3 s, to a sink of its own).
 */
async function startDefaultRate(): Promise<() => Promise<number>> {
  const sink = await CountingUdpSink.start();
  const app = AppProcess.start({
    METRICS_BACKEND_HOST: '127.0.0.1',
    METRICS_BACKEND_PORT: String(sink.port),
    METRICS_PREFIX: 'bench.default.',
  });
  await app.waitForLog('sending metrics');
  const started = performance.now();
  return async () => {
    const wait = started + DEFAULT_RATE_WATCH_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const rss = await peakRss(app);
    app.child.kill('SIGTERM');
    await app.exited;
    await sink.close();
    if (sink.lines < 2)
      throw new Error(`the app at its default rate sent ${sink.lines} timers in 6.5 s, expected 2 or more`);
    process.stderr.write('default-rate RSS done\n');
    return rss;
  };
}

async function lossAndRssWith(opts: Options, buffer: (typeof RECEIVE_BUFFERS)[number]): Promise<RateRun[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'metrics-bench-'));
  const carbon = await CarbonLineTotals.start();
  let statsd: StatsdDaemon | undefined;
  try {
    statsd = await StatsdDaemon.start({
      workDir,
      graphitePort: carbon.port,
      flushIntervalMs: STATSD_FLUSH_MS,
      recvBufferSize: buffer.size,
    });
    const backend = { METRICS_BACKEND_HOST: '127.0.0.1', METRICS_BACKEND_PORT: String(statsd.port) };
    const rates: RateRun[] = [];
    for (const rate of opts.rates) {
      const prefix = `bench.rate${rate}.`;
      const app = AppProcess.start({
        ...backend,
        METRICS_PREFIX: prefix,
        METRICS_INTERVAL_MS: String(LOAD_INTERVAL_MS),
        METRICS_PER_TICK: String((rate * LOAD_INTERVAL_MS) / 1000),
      });
      await app.waitForLog('sending metrics');
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, opts.rateSeconds * 1000));
      const peakRssBytes = await peakRss(app);
      app.child.kill('SIGTERM');
      const { code } = await app.exited;
      const seconds = (performance.now() - started) / 1000;
      const sent = app.logs.find((l) => l.msg === 'metrics client closed')?.metricsSent;
      if (code !== 0 || typeof sent !== 'number')
        throw new Error(`app at ${rate}/s did not stop cleanly: ${app.describe()}`);
      // statsd counts what it received at its next flush; allow three.
      const metric = `stats.timers.${prefix}test.core.delay.count`;
      const deadline = performance.now() + 3 * STATSD_FLUSH_MS + 1000;
      while (carbon.total(metric) < sent && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      rates.push({
        buffer: buffer.label,
        targetRate: rate,
        sent,
        sentPerSecond: sent / seconds,
        counted: carbon.total(metric),
        peakRssBytes,
      });
      process.stderr.write(`statsd (${buffer.label}) at ${rate}/s done\n`);
    }
    return rates;
  } finally {
    await statsd?.stop();
    await carbon.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- TCP backpressure

interface TcpRun {
  readonly configuredRate: number;
  readonly sent: number;
  readonly dropped: number;
  readonly peakRssBytes: number;
}

/** The app over TCP at a configured 2M timers/s to a statsd stand-in that accepts but never reads. */
async function tcpBackpressure(opts: Options): Promise<TcpRun> {
  const stuck = createServer((conn) => {
    conn.pause();
    conn.on('error', () => conn.destroy());
  });
  await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
  const perTick = 20_000;
  try {
    const app = AppProcess.start({
      METRICS_BACKEND_HOST: '127.0.0.1',
      METRICS_BACKEND_PORT: String((stuck.address() as AddressInfo).port),
      METRICS_PROTOCOL: 'tcp',
      METRICS_INTERVAL_MS: String(LOAD_INTERVAL_MS),
      METRICS_PER_TICK: String(perTick),
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    await app.waitForLog('sending metrics');
    await new Promise((resolve) => setTimeout(resolve, opts.rateSeconds * 1000));
    const peakRssBytes = await peakRss(app);
    const { body } = await app.getJson('/stats');
    app.child.kill('SIGTERM');
    await app.exited;
    process.stderr.write('TCP backpressure done\n');
    return {
      configuredRate: (perTick * 1000) / LOAD_INTERVAL_MS,
      sent: body.metricsSent as number,
      dropped: (body.transport as { droppedMetrics: number }).droppedMetrics,
      peakRssBytes,
    };
  } finally {
    stuck.close();
  }
}

/** net.core.rmem_max, the most SO_RCVBUF an unprivileged socket gets (Linux), for the report. */
function rmemMax(): string {
  try {
    return `${fmt(Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()) / 1024)} KiB`;
  } catch {
    return 'unknown';
  }
}

/** Peak resident set of the app process: the kernel's VmHWM, or the app's own getrusage figure off Linux. */
async function peakRss(app: AppProcess): Promise<number> {
  try {
    const status = readFileSync(`/proc/${app.child.pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // Not Linux: ask the app.
  }
  const { body } = await app.getJson('/stats');
  return (body.memory as { maxRssBytes: number }).maxRssBytes;
}

// ---------------------------------------------------------------------------------------------- report

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const table = (header: string[], rows: string[][]) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
};
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

const LABELS: Record<EmitterName, string> = {
  'raw-dgram': 'raw dgram, 1 packet/metric',
  'hot-shots-unbuffered': 'hot-shots unbuffered',
  'hot-shots-buffered': 'hot-shots buffered 1432 B',
  'app-emitter': 'app emitter (1432 B)',
};

/** One throughput table: each emitter's median rate and CPU, and its ratio to each reference in the same run. */
function throughputTable(runs: Map<EmitterName, ThroughputRun[]>, references: readonly EmitterName[]) {
  const rate = (name: EmitterName) => median(runs.get(name)!.map((r) => (r.metrics / r.wallMs) * 1000));
  const cpu = (name: EmitterName) => median(runs.get(name)!.map((r) => (r.cpuUs * 1000) / r.metrics));
  const short: Record<EmitterName, string> = {
    'raw-dgram': 'x raw dgram',
    'hot-shots-unbuffered': 'x hot-shots unbuf',
    'hot-shots-buffered': 'x hot-shots buf',
    'app-emitter': 'x app emitter',
  };
  const names = [...runs.keys()];
  const text = table(
    ['emitter', 'metrics/s', 'CPU ns/metric', ...references.map((r) => short[r]), 'metrics/datagram', 'received'],
    names.map((name) => {
      const r = rate(name);
      const all = runs.get(name)!;
      const lines = all.reduce((a, x) => a + x.receivedLines, 0);
      const received = lines / all.reduce((a, x) => a + x.emittedTotal, 0);
      const perDatagram =
        lines /
        Math.max(
          1,
          all.reduce((a, x) => a + x.receivedDatagrams, 0),
        );
      return [
        LABELS[name],
        fmt(r),
        fmt(cpu(name)),
        ...references.map((ref) => `${fmt(r / rate(ref), 2)}x`),
        fmt(perDatagram, 1),
        `${fmt(received * 100, 1)} %`,
      ];
    }),
  );
  return { text, ratio: (a: EmitterName, b: EmitterName) => rate(a) / rate(b) };
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2), process.env);
  const began = performance.now();
  const load = loadavg();
  // the default-rate app idles beside the throughput runs: it is measured after them (>= 6.5 s later)
  const defaultRate = await startDefaultRate();
  const runs = await throughput(opts, { kind: 'steady', rounds: opts.rounds }, Object.keys(EMITTERS) as EmitterName[]);
  const bursts =
    opts.burstRounds > 0
      ? await throughput(opts, { kind: 'burst', rounds: opts.burstRounds }, BURST_EMITTERS)
      : undefined;
  const defaultRssBytes = await defaultRate();
  const rates = await lossAndRss(opts);
  const tcp = await tcpBackpressure(opts);

  const steady = throughputTable(runs, ['raw-dgram', 'hot-shots-unbuffered', 'hot-shots-buffered']);
  const burst = bursts && throughputTable(bursts, ['hot-shots-unbuffered', 'hot-shots-buffered']);
  const out: string[] = [];
  out.push(
    `# bench:metrics (${opts.full ? '--full' : 'default run; --full adds the 5k and 50k rates, a 4 MiB statsd buffer, 200,000-timer bursts and more rounds'})`,
    '',
    `Every emitter sends the same timer lines, \`bench.test.core.delay:<0..1000>|ms\` (26-29 bytes), to a UDP sink on 127.0.0.1; ` +
      'each run is a fresh process; "x ..." is this emitter\'s metrics/s divided by that one\'s, both measured in this run.',
    '',
    `**Steady throughput**: median of ${opts.rounds} runs of ${fmt(opts.durationMs)} ms each after a 200 ms warm-up, ` +
      `batches of ${opts.batch} with a yield to the event loop between them (the app's ticks under load)`,
    '',
    steady.text,
    '',
  );
  if (burst) {
    out.push(
      `**Burst**: ${fmt(opts.burst)} timers in one synchronous call from a cold process (no warm-up), then close(), ` +
        `timed until every datagram is handed to the kernel; median of ${opts.burstRounds} runs`,
      '',
      burst.text,
      '',
    );
  }
  out.push(
    `**Loss** through a real statsd 0.9 (flushInterval ${STATSD_FLUSH_MS} ms), the app sending for ${opts.rateSeconds} s at each rate; ` +
      `statsd's UDP receive buffer as given (the kernel grants at most net.core.rmem_max = ${rmemMax()})`,
    '',
    table(
      ['statsd receive buffer', 'target rate/s', 'achieved/s', 'sent', 'counted by statsd', 'loss', 'app peak RSS'],
      rates.map((r) => [
        r.buffer,
        fmt(r.targetRate),
        fmt(r.sentPerSecond),
        fmt(r.sent),
        fmt(r.counted),
        `${fmt((1 - r.counted / r.sent) * 100, 2)} %`,
        `${fmt(r.peakRssBytes / MiB, 1)} MiB`,
      ]),
    ),
    '',
    `**App peak RSS** at the default rate (1 timer / 3 s, watched for 6.5 s): ${fmt(defaultRssBytes / MiB, 1)} MiB`,
    '',
    `**TCP backpressure**: configured ${fmt(tcp.configuredRate)} timers/s for ${opts.rateSeconds} s to a listener that never reads ` +
      `(METRICS_TCP_QUEUE_BYTES default 4 MiB): ${fmt(tcp.sent)} handed to the client, ${fmt(tcp.dropped)} dropped and ` +
      `counted, app peak RSS ${fmt(tcp.peakRssBytes / MiB, 1)} MiB`,
    '',
    'Targets:',
  );
  const vsBuffered = steady.ratio('app-emitter', 'hot-shots-buffered');
  const vsUnbuffered = steady.ratio('app-emitter', 'hot-shots-unbuffered');
  // Targets are judged on what the platform deploys: statsd's kernel-default receive buffer.
  const deployed = rates.filter((r) => r.buffer === RECEIVE_BUFFERS[0].label);
  const lossFree = deployed.find((r) => r.targetRate === TARGETS.lossFreeRate);
  const at100k = deployed.find((r) => r.targetRate === 100_000);
  out.push(
    `  app emitter >= ${TARGETS.vsHotShotsBuffered}x hot-shots buffered (steady): ${fmt(vsBuffered, 2)}x, ${verdict(vsBuffered >= TARGETS.vsHotShotsBuffered)}`,
    `  app emitter >= ${TARGETS.vsHotShotsUnbuffered}x hot-shots unbuffered (steady): ${fmt(vsUnbuffered, 2)}x, ${verdict(vsUnbuffered >= TARGETS.vsHotShotsUnbuffered)}`,
    lossFree
      ? `  0 loss at ${fmt(TARGETS.lossFreeRate)}/s through statsd: ${fmt(lossFree.sent - lossFree.counted)} lost, ${verdict(lossFree.counted === lossFree.sent)}`
      : `  0 loss at ${fmt(TARGETS.lossFreeRate)}/s: not measured (not in BENCH_RATES)`,
    `  RSS < ${TARGETS.rssDefaultMiB} MiB at the default rate: ${fmt(defaultRssBytes / MiB, 1)} MiB, ${verdict(defaultRssBytes < TARGETS.rssDefaultMiB * MiB)}`,
    at100k
      ? `  RSS < ${TARGETS.rssAt100kMiB} MiB at 100,000/s: ${fmt(at100k.peakRssBytes / MiB, 1)} MiB, ${verdict(at100k.peakRssBytes < TARGETS.rssAt100kMiB * MiB)}`
      : '  RSS at 100,000/s: not measured (not in BENCH_RATES)',
    `  RSS < ${TARGETS.rssAt100kMiB} MiB over TCP to a statsd that never reads: ${fmt(tcp.peakRssBytes / MiB, 1)} MiB, ${verdict(tcp.peakRssBytes < TARGETS.rssAt100kMiB * MiB)}`,
    '',
    `(bench:metrics ${fmt((performance.now() - began) / 1000, 1)} s, node ${process.version}, ${new Date().toISOString()}, ` +
      `load average ${load.map((l) => l.toFixed(1)).join(' ')} at the start)`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
