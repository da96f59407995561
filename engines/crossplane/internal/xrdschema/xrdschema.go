// Package xrdschema derives, from a CompositeResourceDefinition, the CRD Crossplane's XRD controller would create
// (crossplane-runtime's xcrd code) and applies that CRD's structural defaults to an object with the API server's
// own defaulting code, so an XR rendered offline carries the same defaults it would get in a cluster.
package xrdschema

import (
	"fmt"

	"github.com/crossplane/crossplane-runtime/v2/pkg/xcrd"
	v1 "github.com/crossplane/crossplane/apis/v2/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	extv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apimachinery/pkg/runtime"
)

// CRD returns the CRD of the composite resource an XRD (apiextensions.crossplane.io v1 or v2) defines. XRDs are
// served as v1 and v2 with one schema and no conversion webhook, so the API server converts by rewriting
// apiVersion and the controller reads v1; this does the same.
func CRD(xrd map[string]any) (*extv1.CustomResourceDefinition, error) {
	u := runtime.DeepCopyJSON(xrd)
	u["apiVersion"] = v1.SchemeGroupVersion.String()
	d := &v1.CompositeResourceDefinition{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(u, d, true); err != nil {
		return nil, fmt.Errorf("cannot decode CompositeResourceDefinition: %w", err)
	}
	crd, err := xcrd.ForCompositeResource(d)
	if err != nil {
		return nil, fmt.Errorf("CompositeResourceDefinition %s: %w", d.GetName(), err)
	}
	crd.SetGroupVersionKind(extv1.SchemeGroupVersion.WithKind("CustomResourceDefinition"))
	return crd, nil
}

// Default applies the structural defaults of the given CRD version to obj, in place.
func Default(crd *extv1.CustomResourceDefinition, version string, obj map[string]any) error {
	for _, v := range crd.Spec.Versions {
		if v.Name != version || v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
			continue
		}
		internal := &apiextensions.JSONSchemaProps{}
		if err := extv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v.Schema.OpenAPIV3Schema, internal, nil); err != nil {
			return err
		}
		s, err := structuralschema.NewStructural(internal)
		if err != nil {
			return fmt.Errorf("CRD %s version %s is not structural: %w", crd.GetName(), version, err)
		}
		defaulting.Default(obj, s)
		return nil
	}
	return fmt.Errorf("CRD %s has no version %q with a schema", crd.GetName(), version)
}
