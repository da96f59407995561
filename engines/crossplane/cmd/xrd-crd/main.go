// Command xrd-crd prints the CustomResourceDefinition that Crossplane's XRD controller derives from each
// CompositeResourceDefinition read from standard input (a YAML or JSON stream), using the pinned crossplane-runtime
// code. Other objects in the stream are skipped.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/metrics-platform/engines/crossplane/internal/xrdschema"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "xrd-crd:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	dec := utilyaml.NewYAMLOrJSONDecoder(in, 64*1024)
	for {
		var raw map[string]any
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("cannot parse input: %w", err)
		}
		if raw == nil || raw["kind"] != "CompositeResourceDefinition" {
			continue
		}
		crd, err := xrdschema.CRD(raw)
		if err != nil {
			return err
		}
		b, err := yaml.Marshal(crd)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(out, "---\n%s", b); err != nil {
			return err
		}
	}
}
