/**
 * The upstream engines the platform is judged by, one Go module each under engines/ (its go.mod and go.sum are the
 * pins, reviewed like package-lock.json). Each entry says which main packages to build from it, or which module
 * to download only (for the files inside it).
 */
export interface EngineBuild {
  /** Go package to build: a path inside the module (./cmd/x) or an upstream main package it requires. */
  readonly pkg: string;
  /** Name of the binary. */
  readonly bin: string;
}

export interface EngineModule {
  /** Directory under engines/. */
  readonly dir: string;
  /** What it is, for progress lines. */
  readonly title: string;
  readonly builds: readonly EngineBuild[];
  /** Modules whose files are used as they are (no build): their directory in the module cache is recorded. */
  readonly downloads?: readonly string[];
}

export const ENGINE_MODULES: readonly EngineModule[] = [
  {
    dir: 'kube',
    title: 'kube-apiserver and etcd',
    builds: [
      { pkg: './cmd/kube-apiserver', bin: 'kube-apiserver' },
      { pkg: './cmd/etcd', bin: 'etcd' },
    ],
    downloads: ['k8s.io/kubernetes'],
  },
  {
    dir: 'crossplane',
    title: 'Crossplane core (render engine) and XRD-to-CRD',
    builds: [
      { pkg: 'github.com/crossplane/crossplane/v2/cmd/crossplane', bin: 'crossplane' },
      { pkg: './cmd/xp-render', bin: 'xp-render' },
      { pkg: './cmd/xrd-crd', bin: 'xrd-crd' },
      { pkg: './cmd/xp-states', bin: 'xp-states' },
    ],
    downloads: ['github.com/crossplane/crossplane/v2'],
  },
  {
    dir: 'functions/patch-and-transform',
    title: 'function-patch-and-transform',
    builds: [
      { pkg: 'github.com/crossplane-contrib/function-patch-and-transform', bin: 'function-patch-and-transform' },
    ],
    downloads: ['github.com/crossplane-contrib/function-patch-and-transform'],
  },
  {
    dir: 'functions/auto-ready',
    title: 'function-auto-ready',
    builds: [{ pkg: 'github.com/crossplane/function-auto-ready', bin: 'function-auto-ready' }],
  },
  {
    dir: 'tools',
    title: "kustomize, actionlint and Argo CD's Lua health host",
    builds: [
      { pkg: 'sigs.k8s.io/kustomize/kustomize/v5', bin: 'kustomize' },
      { pkg: 'github.com/rhysd/actionlint/cmd/actionlint', bin: 'actionlint' },
      { pkg: './cmd/argocd-health', bin: 'argocd-health' },
    ],
  },
  {
    dir: 'argocd-release',
    title: 'Argo CD release manifests',
    builds: [],
    downloads: ['github.com/argoproj/argo-cd/v3'],
  },
];

/** The binaries every engine module builds, by name. */
export type EngineBinary =
  | 'kube-apiserver'
  | 'etcd'
  | 'crossplane'
  | 'xp-render'
  | 'xrd-crd'
  | 'xp-states'
  | 'function-patch-and-transform'
  | 'function-auto-ready'
  | 'kustomize'
  | 'actionlint'
  | 'argocd-health';
