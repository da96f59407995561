import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENT_LABEL, applicationName } from '@metrics-platform/cdk8s/lib/argocd';
import { CliError } from '../util/errors';
import { importEsm } from '../util/esm-import';

// The client is an ES module; this CommonJS file loads it with import() and only borrows its types here.
import type * as KubeClientModule from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

type KubeClient = typeof KubeClientModule;
type KubeMiddleware = ReturnType<KubeClient['setHeaderMiddleware']>;

/** What `platform status` reports of one Argo CD Application. */
export interface ApplicationState {
  readonly env: string;
  readonly name: string;
  readonly sync: string;
  readonly health: string;
  readonly revision: string;
  /** Phase and message of the last sync operation, if any. */
  readonly operation: string;
  readonly operationRevision: string;
  readonly operationPhase: string;
}

interface ApplicationObject {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: {
      phase?: string;
      message?: string;
      syncResult?: { revision?: string };
      operation?: { sync?: { revision?: string } };
    };
  };
}

export function toState(app: ApplicationObject): ApplicationState {
  const op = app.status?.operationState;
  return {
    env: app.metadata?.labels?.[ENVIRONMENT_LABEL] ?? '?',
    name: app.metadata?.name ?? '?',
    sync: app.status?.sync?.status ?? 'Unknown',
    health: app.status?.health?.status ?? 'Unknown',
    revision: app.status?.sync?.revision ?? '',
    operation: op === undefined ? '' : `${op.phase ?? '?'}${op.message ? `: ${op.message}` : ''}`,
    operationRevision: op?.syncResult?.revision ?? op?.operation?.sync?.revision ?? '',
    operationPhase: op?.phase ?? '',
  };
}

/** A plain-text table, one Application per line. */
export function formatStates(states: readonly ApplicationState[]): string {
  const rows = [
    ['ENV', 'APPLICATION', 'SYNC', 'HEALTH', 'REVISION', 'LAST OPERATION'],
    ...states.map((s) => [s.env, s.name, s.sync, s.health, s.revision.slice(0, 12) || '-', s.operation || '-']),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** The longest one request to the API server may take (less when the command's --timeout leaves less). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** A request the API server did not answer in time. */
export class RequestTimeoutError extends CliError {}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** Reads the Argo CD Applications of the cluster in the current kubeconfig context. */
export class ArgoCdApplications {
  private constructor(
    private readonly k8s: KubeClient,
    private readonly api: InstanceType<KubeClient['CustomObjectsApi']>,
    readonly server: string,
    readonly namespace: string,
  ) {}

  /** Loads the kubeconfig ($KUBECONFIG, else ~/.kube/config, else in-cluster) with clear errors. */
  static async connect(namespace: string): Promise<ArgoCdApplications> {
    const k8s = await importEsm<KubeClient>('@kubernetes/client-node');
    const inCluster = process.env.KUBERNETES_SERVICE_HOST !== undefined;
    const kubeconfig = process.env.KUBECONFIG;
    const defaultFile = join(homedir(), '.kube', 'config');
    if ((kubeconfig === undefined || kubeconfig === '') && !existsSync(defaultFile) && !inCluster) {
      throw new CliError(
        `no kubeconfig: KUBECONFIG is not set and ${defaultFile} does not exist; expected one pointing at the cluster running Argo CD`,
      );
    }
    const kc = new k8s.KubeConfig();
    try {
      if (kubeconfig === undefined && !existsSync(defaultFile)) kc.loadFromCluster();
      else kc.loadFromDefault();
    } catch (err) {
      throw new CliError(`cannot load the kubeconfig (${kubeconfig || defaultFile}): ${(err as Error).message}`);
    }
    const cluster = kc.getCurrentCluster();
    if (cluster === null) {
      throw new CliError(
        `the kubeconfig (${kubeconfig || defaultFile}) has no current context with a cluster; expected one (kubectl config use-context ...)`,
      );
    }
    return new ArgoCdApplications(k8s, kc.makeApiClient(k8s.CustomObjectsApi), cluster.server, namespace);
  }

  /**
   * The env Applications (labelled with their environment), optionally of one environment, sorted by env. The request
   * is aborted after `timeoutMs` (a server that accepts the connection and never answers must not hang the CLI).
   */
  async list(env?: string, timeoutMs: number = REQUEST_TIMEOUT_MS): Promise<ApplicationState[]> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let body: { items?: ApplicationObject[] };
    try {
      body = (await this.api.listNamespacedCustomObject(
        {
          group: 'argoproj.io',
          version: 'v1alpha1',
          namespace: this.namespace,
          plural: 'applications',
          labelSelector: env === undefined ? ENVIRONMENT_LABEL : `${ENVIRONMENT_LABEL}=${env}`,
        },
        {
          middleware: [this.abortable(abort.signal)],
          middlewareMergeStrategy: 'append',
        },
      )) as { items?: ApplicationObject[] };
    } catch (err) {
      if (abort.signal.aborted) {
        throw new RequestTimeoutError(
          `no answer from the cluster at ${this.server} within ${formatSeconds(timeoutMs)} (listing applications.argoproj.io in namespace ${this.namespace}); expected the API server to respond: check the kubeconfig's server and the network`,
        );
      }
      throw this.explain(err);
    } finally {
      clearTimeout(timer);
    }
    return (body.items ?? []).map(toState).sort((a, b) => a.env.localeCompare(b.env));
  }

  /**
   * Request middleware that makes the request abortable by `signal`. Built on the client's public
   * setHeaderMiddleware (it returns the client's own observable type); the header names this CLI to the API server.
   */
  private abortable(signal: AbortSignal): KubeMiddleware {
    const userAgent = this.k8s.setHeaderMiddleware('User-Agent', 'metrics-platform-cli');
    return {
      pre: (request) => {
        request.setSignal(signal);
        return userAgent.pre(request);
      },
      post: (response) => userAgent.post(response),
    };
  }

  private explain(err: unknown): CliError {
    const where = `${this.server} (namespace ${this.namespace})`;
    if (err instanceof this.k8s.ApiException) {
      if (err.code === 401)
        return new CliError(`unauthorized at ${where}: the kubeconfig's credentials were rejected; log in again`);
      if (err.code === 403) {
        return new CliError(
          `no access at ${where}: expected permission to list applications.argoproj.io in namespace ${this.namespace}`,
        );
      }
      if (err.code === 404)
        return new CliError(
          `no Argo CD at ${where}: applications.argoproj.io not found; expected Argo CD installed (argocd/bootstrap)`,
        );
      return new CliError(`the cluster at ${where} answered HTTP ${err.code}: ${String(err.body).slice(0, 300)}`);
    }
    const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const code = e.code ?? e.cause?.code ?? '';
    return new CliError(`cannot reach the cluster at ${this.server}: ${code ? `${code} ` : ''}${e.message}`);
  }
}

export interface WaitProps {
  readonly env: string;
  /** Commit (full or at least 7 leading hex digits) the environment must run. */
  readonly revision: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  readonly log: (line: string) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Whether an Application runs `revision`, synced and healthy. */
export function runsHealthy(s: ApplicationState, revision: string): boolean {
  return s.revision.startsWith(revision) && s.sync === 'Synced' && s.health === 'Healthy';
}

/**
 * Polls until the environment's Application runs `revision` Synced and Healthy; a failed sync of that revision
 * or the timeout is a CliError with the last state seen. Bounded by `timeoutMs`.
 */
export async function waitForRevision(
  apps: { list(env?: string, timeoutMs?: number): Promise<ApplicationState[]> },
  props: WaitProps,
): Promise<ApplicationState> {
  const now = props.now ?? Date.now;
  const sleep = props.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + props.timeoutMs;
  let last: ApplicationState | undefined;
  for (;;) {
    // every request ends by the deadline: --timeout is the total, also against a server that never answers
    let state: ApplicationState | undefined;
    try {
      [state] = await apps.list(props.env, Math.max(1, Math.min(REQUEST_TIMEOUT_MS, deadline - now())));
    } catch (err) {
      if (!(err instanceof RequestTimeoutError) || deadline - now() > 0) throw err;
      throw new CliError(
        `timed out after ${Math.round(props.timeoutMs / 1000)} s waiting for ${applicationName(props.env)} to run ${props.revision} Synced and Healthy; ` +
          (last === undefined
            ? `the cluster never answered: ${err.message}`
            : `last seen: sync ${last.sync}, health ${last.health}, revision ${last.revision || '-'}; then ${err.message}`),
      );
    }
    if (state === undefined)
      throw new CliError(
        `no Argo CD Application is labelled ${ENVIRONMENT_LABEL}=${props.env}; expected the generated ${applicationName(props.env)}`,
      );
    if (runsHealthy(state, props.revision)) return state;
    if (state.operationRevision.startsWith(props.revision) && ['Failed', 'Error'].includes(state.operationPhase)) {
      throw new CliError(`${state.name}: the sync of ${props.revision} failed: ${state.operation}`);
    }
    if (last === undefined || JSON.stringify(last) !== JSON.stringify(state)) {
      props.log(
        `${state.name}: sync ${state.sync}, health ${state.health}, revision ${state.revision.slice(0, 12) || '-'}; waiting for ${props.revision}`,
      );
    }
    last = state;
    const left = deadline - now();
    if (left <= 0) {
      throw new CliError(
        `timed out after ${Math.round(props.timeoutMs / 1000)} s waiting for ${state.name} to run ${props.revision} Synced and Healthy; ` +
          `last seen: sync ${state.sync}, health ${state.health}, revision ${state.revision || '-'}${state.operation ? `, last operation ${state.operation}` : ''}`,
      );
    }
    await sleep(Math.min(props.intervalMs, left));
  }
}
