import { spawn } from 'node:child_process';
import type { Engines } from './ensure';
import type { KubeObject } from './kube-api';

/** One XR to render, with the Composition it selects and the XRD that defines it. */
export interface RenderInput {
  readonly composite: KubeObject;
  readonly composition: KubeObject;
  readonly xrd: KubeObject;
  /** Composed resources as they exist (for a second reconcile): their status feeds the XR's. */
  readonly observed?: readonly KubeObject[];
}

export interface RenderEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

/** What Crossplane's reconciler produced for one XR. */
export interface RenderOutput {
  readonly composite?: KubeObject;
  readonly composed: readonly KubeObject[];
  readonly events: readonly RenderEvent[];
  /** Why the render failed (a fatal function result, or an engine error). */
  readonly error?: string;
  /** The function pipeline returned a FATAL result: Crossplane would fail the XR. */
  readonly fatal?: boolean;
}

/** The functions the platform's Compositions call, by the name their functionRef uses. */
const FUNCTIONS = ['function-patch-and-transform', 'function-auto-ready'] as const;

/**
 * Renders XRs with Crossplane's real composite reconciler (the pinned core binary's `internal render`) and the real
 * composition functions started on loopback, through engines/crossplane's xp-render. The XR is first defaulted from
 * the CRD its XRD produces, as the API server would.
 */
export function renderComposites(engines: Engines, inputs: readonly RenderInput[]): Promise<RenderOutput[]> {
  const request = {
    crossplane: engines.bins.crossplane,
    functions: FUNCTIONS.map((name) => ({ name, binary: engines.bins[name] })),
    renders: inputs.map((i) => ({
      composite: i.composite,
      composition: i.composition,
      xrd: i.xrd,
      observed: i.observed ?? [],
    })),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(engines.bins['xp-render'], [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        const last = stderr.trim().split('\n').pop() ?? '';
        reject(new Error(`xp-render exited with ${code}: ${last}`));
        return;
      }
      resolve((JSON.parse(stdout) as { results: RenderOutput[] }).results);
    });
    child.stdin.end(JSON.stringify(request));
  });
}

/** The Composition an XR selects: its compositionRef, else the XRD's default, else the one for its kind. */
export function compositionFor(
  xr: KubeObject,
  xrd: KubeObject | undefined,
  compositions: readonly KubeObject[],
): KubeObject | undefined {
  const spec = xr.spec as { crossplane?: { compositionRef?: { name?: string } } } | undefined;
  const byName =
    spec?.crossplane?.compositionRef?.name ??
    (xrd?.spec as { defaultCompositionRef?: { name?: string } } | undefined)?.defaultCompositionRef?.name;
  if (byName !== undefined) return compositions.find((c) => c.metadata.name === byName);
  const [group] = xr.apiVersion.split('/');
  return compositions.find((c) => {
    const ref = (c.spec as { compositeTypeRef?: { apiVersion?: string; kind?: string } }).compositeTypeRef;
    return ref?.kind === xr.kind && ref.apiVersion?.split('/')[0] === group;
  });
}

/** The XRD that defines an XR's kind. */
export function xrdFor(xr: KubeObject, xrds: readonly KubeObject[]): KubeObject | undefined {
  const [group] = xr.apiVersion.split('/');
  return xrds.find((d) => {
    const spec = d.spec as { group?: string; names?: { kind?: string } };
    return spec.group === group && spec.names?.kind === xr.kind;
  });
}
