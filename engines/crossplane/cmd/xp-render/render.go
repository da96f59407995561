package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"k8s.io/apimachinery/pkg/runtime"

	renderv1alpha1 "github.com/crossplane/crossplane/v2/proto/render/v1alpha1"

	"github.com/metrics-platform/engines/crossplane/internal/xrdschema"
)

// exitCodePipelineFatal is what 'crossplane internal render' exits with when a function returned a FATAL result
// (cmd/crossplane/render.ExitCodePipelineFatal); stdout then still carries the partial response.
const exitCodePipelineFatal = 3

// renderTimeout bounds one render (the core binary's own default is two minutes).
const renderTimeout = 2 * time.Minute

func renderAll(req request, fns []*renderv1alpha1.FunctionInput) []renderResult {
	results := make([]renderResult, len(req.Renders))
	parallel := req.Parallel
	if parallel <= 0 {
		parallel = 2
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = renderOne(req.Crossplane, req.Renders[i], fns)
			}
		}()
	}
	for i := range req.Renders {
		work <- i
	}
	close(work)
	wg.Wait()
	return results
}

func renderOne(crossplane string, spec renderSpec, fns []*renderv1alpha1.FunctionInput) renderResult {
	in, err := compositeInput(spec, fns)
	if err != nil {
		return renderResult{Error: err.Error()}
	}
	data, err := proto.Marshal(&renderv1alpha1.RenderRequest{
		Meta:  &renderv1alpha1.RequestMeta{},
		Input: &renderv1alpha1.RenderRequest_Composite{Composite: in},
	})
	if err != nil {
		return renderResult{Error: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), renderTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, crossplane, "internal", "render", "--timeout", renderTimeout.String())
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stdout, stderr bytes.Buffer
	cmd.Stdin = bytes.NewReader(data)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	runErr := cmd.Run()
	var exitErr *exec.ExitError
	fatal := errors.As(runErr, &exitErr) && exitErr.ExitCode() == exitCodePipelineFatal
	if runErr != nil && !fatal {
		return renderResult{Error: describe(runErr, stderr.String())}
	}
	rsp := &renderv1alpha1.RenderResponse{}
	if err := proto.Unmarshal(stdout.Bytes(), rsp); err != nil {
		return renderResult{Error: fmt.Sprintf("cannot read render response: %v", err)}
	}
	res := fromOutput(rsp.GetComposite())
	if fatal {
		res.Fatal = true
		res.Error = describe(runErr, stderr.String())
	}
	return res
}

func compositeInput(spec renderSpec, fns []*renderv1alpha1.FunctionInput) (*renderv1alpha1.CompositeInput, error) {
	composite := spec.Composite
	if spec.XRD != nil {
		// In a cluster the API server defaults the XR from the CRD its XRD produced before Crossplane sees it.
		crd, err := xrdschema.CRD(spec.XRD)
		if err != nil {
			return nil, err
		}
		composite = runtime.DeepCopyJSON(composite)
		apiVersion, _ := composite["apiVersion"].(string)
		version := apiVersion[strings.LastIndex(apiVersion, "/")+1:]
		if err := xrdschema.Default(crd, version, composite); err != nil {
			return nil, err
		}
	}
	xr, err := structpb.NewStruct(composite)
	if err != nil {
		return nil, fmt.Errorf("composite: %w", err)
	}
	comp, err := structpb.NewStruct(spec.Composition)
	if err != nil {
		return nil, fmt.Errorf("composition: %w", err)
	}
	in := &renderv1alpha1.CompositeInput{CompositeResource: xr, Composition: comp, Functions: fns}
	if spec.XRD != nil {
		if in.CompositeResourceDefinition, err = structpb.NewStruct(spec.XRD); err != nil {
			return nil, fmt.Errorf("xrd: %w", err)
		}
	}
	for _, o := range spec.Observed {
		s, err := structpb.NewStruct(o)
		if err != nil {
			return nil, fmt.Errorf("observed: %w", err)
		}
		in.ObservedResources = append(in.ObservedResources, s)
	}
	return in, nil
}

func fromOutput(out *renderv1alpha1.CompositeOutput) renderResult {
	res := renderResult{Composed: []map[string]any{}, Events: []event{}}
	if out == nil {
		return res
	}
	if out.GetCompositeResource() != nil {
		res.Composite = out.GetCompositeResource().AsMap()
	}
	for _, c := range out.GetComposedResources() {
		res.Composed = append(res.Composed, c.AsMap())
	}
	for _, e := range out.GetEvents() {
		res.Events = append(res.Events, event{Type: e.GetType(), Reason: e.GetReason(), Message: e.GetMessage()})
	}
	return res
}

// describe keeps the last error line the core binary printed (its log lines come before it).
func describe(err error, stderr string) string {
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if last := strings.TrimSpace(lines[len(lines)-1]); last != "" {
		return last
	}
	return err.Error()
}
