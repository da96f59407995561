//go:build tools

// Package tools records the upstream main packages built from this module so 'go mod tidy' keeps their needs.
package tools

import (
	_ "github.com/rhysd/actionlint/cmd/actionlint"
	_ "sigs.k8s.io/kustomize/kustomize/v5"
)
