//go:build tools

// Package tools records the function's main package so 'go mod tidy' keeps what building it needs.
package tools

import _ "github.com/crossplane-contrib/function-patch-and-transform"
