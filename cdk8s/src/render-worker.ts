/**
 * A render worker thread (started by renderAllParallel, render-parallel.ts). Loading the render modules is most of
 * its start-up, done here at once while the main thread parses the environment files; then it takes environments
 * from the shared counter of the job it is sent and posts each one's files (or error), then `done`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { renderTaken, serializeError, type WorkerJob, type WorkerMessage } from './render-parallel';

const port = parentPort;
if (port === null) throw new Error('render-worker: runs only as a worker thread of renderAllParallel');
const { repoRoot } = workerData as { repoRoot: string };
const post = (m: WorkerMessage) => port.postMessage(m);

port.once('message', (job: WorkerJob) => {
  const rendered = renderTaken(repoRoot, job.envs, new Int32Array(job.control), (o) =>
    post(
      'files' in o
        ? { kind: 'rendered', index: o.index, files: o.files }
        : { kind: 'failed', index: o.index, error: serializeError(o.error) },
    ),
  );
  post({ kind: 'done', rendered });
});
