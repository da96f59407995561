// Command xp-render renders composite resources with Crossplane's real composite reconciler and the real
// composition functions, the way 'crossplane render' does with its Development function runtime: it starts each
// function binary as a local gRPC server (insecure, on loopback), then hands each XR to the pinned core binary's
// 'crossplane internal render' as a protobuf RenderRequest and reads its RenderResponse.
//
// Input (stdin, JSON):
//
//	{"crossplane": "/path/to/crossplane",
//	 "functions": [{"name": "function-patch-and-transform", "binary": "/path"}],
//	 "renders": [{"composite": {...}, "composition": {...}, "xrd": {...}, "observed": [{...}]}]}
//
// Output (stdout, JSON): {"results": [{"composite": {...}, "composed": [...], "events": [...],
// "error": "...", "fatal": true}]}, one result per render, in order. A render that the function pipeline fails
// fatally carries fatal=true, its error and whatever partial output the reconciler produced.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

type request struct {
	Crossplane string         `json:"crossplane"`
	Functions  []functionSpec `json:"functions"`
	Renders    []renderSpec   `json:"renders"`
	// Parallel is how many renders run at once (default 2).
	Parallel int `json:"parallel,omitempty"`
}

type functionSpec struct {
	Name   string `json:"name"`
	Binary string `json:"binary"`
}

type renderSpec struct {
	Composite   map[string]any   `json:"composite"`
	Composition map[string]any   `json:"composition"`
	XRD         map[string]any   `json:"xrd,omitempty"`
	Observed    []map[string]any `json:"observed,omitempty"`
}

type event struct {
	Type    string `json:"type"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

type renderResult struct {
	Composite map[string]any   `json:"composite,omitempty"`
	Composed  []map[string]any `json:"composed"`
	Events    []event          `json:"events"`
	Error     string           `json:"error,omitempty"`
	Fatal     bool             `json:"fatal,omitempty"`
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "xp-render:", err)
		os.Exit(1)
	}
}

func run() error {
	var req request
	dec := json.NewDecoder(os.Stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("cannot parse request: %w", err)
	}
	if req.Crossplane == "" {
		return fmt.Errorf("request: crossplane (the core binary) is required")
	}
	fns, err := startFunctions(req.Functions)
	defer fns.stop()
	if err != nil {
		return err
	}
	results := renderAll(req, fns.inputs())
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(struct {
		Results []renderResult `json:"results"`
	}{results})
}
