// Command xp-states prints Crossplane objects in each state Crossplane v2.3 reports for them, with the conditions
// built by the pinned Crossplane code itself (package, XRD and resource condition constructors, and the package
// controller's PackageHealth), so that health scripts are judged against what Crossplane really writes.
//
// Output: a JSON array of {"kind", "state", "expect", "object"}, where expect is what a sync must make of it:
// "progress" (normal start-up or change: must not fail a sync), "healthy", "degraded" (a real failure) or
// "suspended".
package main

import (
	"encoding/json"
	"errors"
	"os"

	"k8s.io/apimachinery/pkg/runtime"

	extv1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	xpv2 "github.com/crossplane/crossplane/apis/v2/core/v2"
	pkgv1 "github.com/crossplane/crossplane/apis/v2/pkg/v1"
)

type sample struct {
	Kind   string         `json:"kind"`
	State  string         `json:"state"`
	Expect string         `json:"expect"`
	Object map[string]any `json:"object"`
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(samples()); err != nil {
		os.Exit(1)
	}
}

func object(apiVersion, kind string, conds []xpv2.Condition, extra map[string]any) map[string]any {
	o := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": map[string]any{"name": "sample"}}
	for k, v := range extra {
		o[k] = v
	}
	if conds != nil {
		s := xpv2.NewConditionedStatus(conds...)
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(s)
		if err != nil {
			panic(err)
		}
		o["status"] = u
	}
	return o
}

// packageHealth is the Healthy condition the package controller derives from a revision in the given state.
func packageHealth(revision, runtimeHealth xpv2.Condition) xpv2.Condition {
	pr := &pkgv1.ProviderRevision{}
	pr.SetConditions(revision, runtimeHealth)
	return pkgv1.PackageHealth(pr)
}

func samples() []sample {
	var out []sample
	for _, p := range []struct{ apiVersion, kind string }{{"pkg.crossplane.io/v1", "Provider"}, {"pkg.crossplane.io/v1", "Function"}} {
		add := func(state, expect string, conds []xpv2.Condition) {
			out = append(out, sample{Kind: p.kind, State: state, Expect: expect, Object: object(p.apiVersion, p.kind, conds, nil)})
		}
		add("no status yet", "progress", nil)
		add("installing (unpacking)", "progress", []xpv2.Condition{pkgv1.Unpacking()})
		add("installed, revision health unknown", "progress", []xpv2.Condition{pkgv1.Active(), pkgv1.UnknownHealth()})
		add("starting: revision health not yet reported", "progress",
			[]xpv2.Condition{pkgv1.Active(), packageHealth(pkgv1.RevisionUnknownHealth(), pkgv1.RuntimeUnknownHealth())})
		add("starting: runtime health not yet reported", "progress",
			[]xpv2.Condition{pkgv1.Active(), packageHealth(pkgv1.RevisionHealthy(), pkgv1.RuntimeUnknownHealth())})
		add("healthy", "healthy", []xpv2.Condition{pkgv1.Active(), packageHealth(pkgv1.RevisionHealthy(), pkgv1.RuntimeHealthy())})
		add("failed: revision unhealthy", "degraded", []xpv2.Condition{pkgv1.Active(),
			packageHealth(pkgv1.RevisionUnhealthy().WithMessage("cannot establish control of object: CRD owned by another revision"), pkgv1.RuntimeHealthy())})
		add("failed: runtime unhealthy", "degraded", []xpv2.Condition{pkgv1.Active(),
			packageHealth(pkgv1.RevisionHealthy(), pkgv1.RuntimeUnhealthy().WithMessage("Deployment has 0 available replicas: CrashLoopBackOff"))})
	}
	xrd := func(state, expect string, conds []xpv2.Condition) {
		out = append(out, sample{Kind: "CompositeResourceDefinition", State: state, Expect: expect,
			Object: object("apiextensions.crossplane.io/v2", "CompositeResourceDefinition", conds, nil)})
	}
	xrd("no status yet", "progress", nil)
	xrd("established", "healthy", []xpv2.Condition{extv1.WatchingComposite()})
	xrd("terminating", "progress", []xpv2.Condition{extv1.TerminatingComposite()})
	for _, r := range []struct{ apiVersion, kind string }{
		{"platform.example.org/v1alpha1", "Repository"},
		{"ecr.aws.m.upbound.io/v1beta1", "Repository"},
	} {
		add := func(state, expect string, conds []xpv2.Condition, extra map[string]any) {
			out = append(out, sample{Kind: r.kind + " (" + r.apiVersion + ")", State: state, Expect: expect, Object: object(r.apiVersion, r.kind, conds, extra)})
		}
		add("no status yet", "progress", nil, nil)
		add("creating", "progress", []xpv2.Condition{xpv2.ReconcileSuccess(), xpv2.Creating()}, nil)
		add("ready", "healthy", []xpv2.Condition{xpv2.ReconcileSuccess(), xpv2.Available()}, nil)
		add("reconcile error", "degraded",
			[]xpv2.Condition{xpv2.ReconcileError(errors.New("cannot compose resources: AccessDenied")), xpv2.Creating()}, nil)
		add("unavailable", "degraded", []xpv2.Condition{xpv2.ReconcileSuccess(), xpv2.Unavailable().WithMessage("repository is gone")}, nil)
		add("deleting", "progress", []xpv2.Condition{xpv2.ReconcileSuccess(), xpv2.Deleting()},
			map[string]any{"metadata": map[string]any{"name": "sample", "deletionTimestamp": "2026-01-01T00:00:00Z"}})
		add("paused", "suspended", []xpv2.Condition{xpv2.ReconcilePaused()},
			map[string]any{"metadata": map[string]any{"name": "sample", "annotations": map[string]any{"crossplane.io/paused": "true"}}})
	}
	return out
}
