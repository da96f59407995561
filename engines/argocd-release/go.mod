// Pins the Argo CD release whose install manifests and CRDs the engine suite installs (read from the module, not
// built: Argo CD's own packages need a gitops-engine the module proxy does not serve).
module github.com/metrics-platform/engines/argocd-release

go 1.26.3

require github.com/argoproj/argo-cd/v3 v3.5.1
