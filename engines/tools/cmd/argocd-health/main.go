// Command argocd-health evaluates Argo CD resource health scripts the way Argo CD v3.5.1's controller does.
//
// Argo CD's own util/lua package does not build as a dependency (it needs a gitops-engine module the module proxy
// does not serve), so this host runs the scripts in the same Lua runtime and JSON bridge at the versions Argo CD
// pins, with the library set Argo CD opens for argocd-cm scripts: package, base and table (no string, math, io;
// Argo CD's own "safe os" offers os.time and os.date, which this host leaves out, so a script that needs them
// fails here rather than passing). Built-in scripts are read from the pinned Argo CD module's
// resource_customizations directory and run with all standard libraries, as Argo CD does.
//
// Usage: argocd-health --argocd-cm CM.yaml --builtin-dir DIR < objects.json > results.json
// Input: a JSON array of Kubernetes objects. Output: a JSON array, one entry per object, of
// {"status", "message", "script", "error"} where script says which script ran ("" when none applies).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	cmPath := flag.String("argocd-cm", "", "the argocd-cm ConfigMap (YAML) whose resource customizations apply")
	builtinDir := flag.String("builtin-dir", "", "Argo CD's resource_customizations directory (built-in health scripts)")
	flag.Parse()
	if *cmPath == "" || *builtinDir == "" {
		fmt.Fprintln(os.Stderr, "argocd-health: --argocd-cm and --builtin-dir are required")
		os.Exit(2)
	}
	if err := run(*cmPath, *builtinDir, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-health:", err)
		os.Exit(1)
	}
}

func run(cmPath, builtinDir string, in io.Reader, out io.Writer) error {
	cm, err := os.ReadFile(cmPath)
	if err != nil {
		return err
	}
	overrides, err := loadOverrides(cm)
	if err != nil {
		return fmt.Errorf("%s: %w", cmPath, err)
	}
	var objects []map[string]any
	if err := json.NewDecoder(in).Decode(&objects); err != nil {
		return fmt.Errorf("cannot parse objects: %w", err)
	}
	finder := scriptFinder{overrides: overrides, builtinDir: builtinDir}
	results := make([]result, 0, len(objects))
	for _, obj := range objects {
		results = append(results, evaluate(finder, obj))
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(results)
}

type result struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Script  string `json:"script"`
	Error   string `json:"error,omitempty"`
}

func evaluate(finder scriptFinder, obj map[string]any) result {
	s, err := finder.find(obj)
	if err != nil {
		return result{Error: err.Error()}
	}
	if s.source == "" {
		return result{}
	}
	hs, err := executeHealthLua(obj, s.lua, s.useOpenLibs)
	if err != nil {
		return result{Script: s.source, Error: err.Error()}
	}
	return result{Status: hs.Status, Message: hs.Message, Script: s.source}
}
