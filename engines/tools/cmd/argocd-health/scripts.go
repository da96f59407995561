package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gobwas/glob"
	"sigs.k8s.io/yaml"
)

// override is one entry of argocd-cm's resource customizations (Argo CD's rawResourceOverride health fields).
type override struct {
	HealthLua   string `json:"health.lua,omitempty"`
	UseOpenLibs bool   `json:"health.lua.useOpenLibs,omitempty"`
}

const customizationsKey = "resource.customizations"

// loadOverrides reads the health overrides of an argocd-cm ConfigMap: the resource.customizations blob and the
// split keys resource.customizations.health.<group_kind> (and .useOpenLibs.<group_kind>), as Argo CD's settings do.
func loadOverrides(configMap []byte) (map[string]override, error) {
	var cm struct {
		Kind     string                `json:"kind"`
		Metadata struct{ Name string } `json:"metadata"`
		Data     map[string]string     `json:"data"`
	}
	if err := yaml.Unmarshal(configMap, &cm); err != nil {
		return nil, err
	}
	if cm.Kind != "ConfigMap" || cm.Metadata.Name != "argocd-cm" {
		return nil, fmt.Errorf("expected the ConfigMap argocd-cm, got %s %q", cm.Kind, cm.Metadata.Name)
	}
	overrides := map[string]override{}
	if blob := cm.Data[customizationsKey]; blob != "" {
		if err := yaml.Unmarshal([]byte(blob), &overrides); err != nil {
			return nil, fmt.Errorf("%s: %w", customizationsKey, err)
		}
	}
	for k, v := range cm.Data {
		rest, ok := strings.CutPrefix(k, customizationsKey+".")
		if !ok {
			continue
		}
		kind, groupKind, ok := strings.Cut(rest, ".")
		if !ok {
			return nil, fmt.Errorf("key %q: expected resource.customizations.<type>.<group_kind>", k)
		}
		key := splitKeyToGroupKind(groupKind)
		o := overrides[key]
		switch kind {
		case "health":
			o.HealthLua = v
		case "useOpenLibs":
			o.UseOpenLibs = v == "true"
		default:
			continue
		}
		overrides[key] = o
	}
	return overrides, nil
}

// splitKeyToGroupKind turns "cert-manager.io_Certificate" into "cert-manager.io/Certificate" (the last underscore
// separates group and kind; a key with none is a core kind).
func splitKeyToGroupKind(groupKind string) string {
	i := strings.LastIndex(groupKind, "_")
	if i < 0 {
		return groupKind
	}
	return groupKind[:i] + "/" + groupKind[i+1:]
}

type script struct {
	lua         string
	useOpenLibs bool
	source      string
}

type scriptFinder struct {
	overrides  map[string]override
	builtinDir string
}

// find follows Argo CD's lookup: an exact argocd-cm key, then a wildcard argocd-cm key, then the built-in script
// of that group/kind, then a wildcard built-in (directories whose "_" stands for "*"). Built-ins run with all
// standard libraries.
func (f scriptFinder) find(obj map[string]any) (script, error) {
	key, err := configMapKey(obj)
	if err != nil {
		return script{}, err
	}
	if o, ok := f.overrides[key]; ok && o.HealthLua != "" {
		return script{lua: o.HealthLua, useOpenLibs: o.UseOpenLibs, source: "argocd-cm:" + key}, nil
	}
	keys := make([]string, 0, len(f.overrides))
	for k := range f.overrides {
		keys = append(keys, k)
	}
	// Argo CD takes the first matching wildcard in map order; more than one match is ambiguous there, so
	// refuse it here.
	sort.Strings(keys)
	var matched []string
	for _, k := range keys {
		if f.overrides[k].HealthLua == "" {
			continue
		}
		g, err := glob.Compile(k)
		if err == nil && g.Match(key) {
			matched = append(matched, k)
		}
	}
	if len(matched) > 1 {
		return script{}, fmt.Errorf("%s matches several argocd-cm health scripts (%s): Argo CD would pick one at random", key, strings.Join(matched, ", "))
	}
	if len(matched) == 1 {
		o := f.overrides[matched[0]]
		return script{lua: o.HealthLua, useOpenLibs: o.UseOpenLibs, source: "argocd-cm:" + matched[0]}, nil
	}
	path := filepath.Join(f.builtinDir, key, "health.lua")
	if b, err := os.ReadFile(path); err == nil {
		return script{lua: string(b), useOpenLibs: true, source: "builtin:" + key}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return script{}, err
	}
	globs, err := filepath.Glob(filepath.Join(f.builtinDir, "_*", "*", "health.lua"))
	if err != nil {
		return script{}, err
	}
	sort.Strings(globs)
	for _, p := range globs {
		rel, _ := filepath.Rel(f.builtinDir, filepath.Dir(p))
		pattern := strings.ReplaceAll(rel, "_", "*")
		if ok, _ := filepath.Match(pattern, key); ok {
			b, err := os.ReadFile(p)
			if err != nil {
				return script{}, err
			}
			return script{lua: string(b), useOpenLibs: true, source: "builtin:" + rel}, nil
		}
	}
	return script{}, nil
}

func configMapKey(obj map[string]any) (string, error) {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return "", errors.New("object without apiVersion or kind")
	}
	group := ""
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	if group == "" {
		return kind, nil
	}
	return group + "/" + kind, nil
}
