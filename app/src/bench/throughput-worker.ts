// One throughput run in a fresh process (own JIT state and heap), printing one JSON line: metrics emitted, wall time
// and this process's CPU time (user + system).
//   node throughput-worker.js <emitter> <port> <durationMs> <batch>    steady: after a 200 ms warm-up, batches of
//       <batch> as fast as it can for <durationMs>, yielding to the event loop between batches so sends complete
//       (what the app does under load: a tick every 10 ms of rate/100 timers)
//   node throughput-worker.js <emitter> <port> burst <count>           burst: <count> timers in one synchronous call
//       from a cold start (no warm-up), then close(), timed until every datagram is handed to the kernel
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EMITTERS } from './emitters';
import type { EmitterName } from './emitters';

export interface WorkerResult {
  readonly emitter: EmitterName;
  /** Metrics emitted in the timed window. */
  readonly metrics: number;
  /** Metrics emitted in all, warm-up included (what the sink should have received). */
  readonly emittedTotal: number;
  readonly wallMs: number;
  readonly cpuUs: number;
}

const WARMUP_MS = 200;

async function main(): Promise<void> {
  const [name, portArg, durationArg, batchArg] = process.argv.slice(2);
  if (name === undefined || !(name in EMITTERS)) throw new Error(`unknown emitter ${name}`);
  const port = Number(portArg);
  const emitter = await EMITTERS[name as EmitterName](port);
  if (durationArg === 'burst') {
    const count = Number(batchArg);
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    emitter.emit(count);
    await emitter.close();
    const wallMs = performance.now() - start;
    const cpu = process.cpuUsage(cpuBefore);
    const result: WorkerResult = {
      emitter: name as EmitterName,
      metrics: count,
      emittedTotal: count,
      wallMs,
      cpuUs: cpu.user + cpu.system,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const [durationMs, batch] = [Number(durationArg), Number(batchArg)];

  const runFor = async (ms: number) => {
    let metrics = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      emitter.emit(batch);
      metrics += batch;
      await yieldToEventLoop();
    }
    return metrics;
  };
  const warmup = await runFor(WARMUP_MS);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const metrics = await runFor(durationMs);
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  await emitter.close();
  const result: WorkerResult = {
    emitter: name as EmitterName,
    metrics,
    emittedTotal: warmup + metrics,
    wallMs,
    cpuUs: cpu.user + cpu.system,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
