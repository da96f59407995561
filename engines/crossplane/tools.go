//go:build tools

// Package tools records the upstream core binary built from this module so 'go mod tidy' keeps its needs.
package tools

import _ "github.com/crossplane/crossplane/v2/cmd/crossplane"
