/**
 * The one definition of where this repository lives and what Argo CD installs from outside it.
 * Every generated Application and AppProject, and the bootstrap root Application, reads these.
 */
export const PLATFORM_REPOSITORY = {
  /** Git URL Argo CD clones; the only source of the workloads project. */
  url: 'https://github.com/example-org/metrics-platform.git',
  /** Branch holding the Argo CD configuration itself (`argocd/`); env branches are `env/<name>`. */
  mainBranch: 'main',
} as const;

/** Namespace Argo CD runs in; Applications and AppProjects live here. */
export const ARGOCD_NAMESPACE = 'argocd';

/** Crossplane core, installed from its Helm chart by its own Application (pinned: v2.3.x, matching the schemas). */
export const CROSSPLANE_CHART = {
  repoURL: 'https://charts.crossplane.io/stable',
  chart: 'crossplane',
  version: '2.3.4',
  namespace: 'crossplane-system',
} as const;

/** The env branch Argo CD watches for an environment. */
export function envBranch(env: string): string {
  return `env/${env}`;
}

/** The rendered directory of an environment, on its branch. */
export function envDistPath(env: string): string {
  return `dist/${env}`;
}

/** Name of an environment's Application (also what `platform status` looks up). */
export function applicationName(env: string): string {
  return `env-${env}`;
}

/** Label every generated Argo CD object carries with its environment, for `platform status`. */
export const ENVIRONMENT_LABEL = 'platform.example.org/environment';
