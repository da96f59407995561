package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	renderv1alpha1 "github.com/crossplane/crossplane/v2/proto/render/v1alpha1"
)

// functionReadyTimeout bounds how long a function binary may take to listen.
const functionReadyTimeout = 30 * time.Second

type runningFunction struct {
	name    string
	address string
	cmd     *exec.Cmd
}

type functions []runningFunction

// startFunctions starts each function as 'BINARY --insecure --address 127.0.0.1:PORT' (what crossplane render's
// Development runtime expects to find listening) and waits until each accepts connections. The children die with
// this process even if it is killed (Pdeathsig).
func startFunctions(specs []functionSpec) (functions, error) {
	var fns functions
	for _, s := range specs {
		port, err := freePort()
		if err != nil {
			return fns, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		cmd := exec.Command(s.Binary, "--insecure", "--address", addr)
		cmd.Stdout = os.Stderr
		cmd.Stderr = os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			return fns, fmt.Errorf("cannot start function %s (%s): %w", s.Name, s.Binary, err)
		}
		fns = append(fns, runningFunction{name: s.Name, address: addr, cmd: cmd})
	}
	for _, f := range fns {
		if err := waitListening(f); err != nil {
			return fns, err
		}
	}
	return fns, nil
}

func (fns functions) inputs() []*renderv1alpha1.FunctionInput {
	in := make([]*renderv1alpha1.FunctionInput, 0, len(fns))
	for _, f := range fns {
		in = append(in, &renderv1alpha1.FunctionInput{Name: f.name, Address: f.address})
	}
	return in
}

func (fns functions) stop() {
	for _, f := range fns {
		if f.cmd.Process != nil {
			_ = f.cmd.Process.Kill()
			_ = f.cmd.Wait()
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(f runningFunction) error {
	deadline := time.Now().Add(functionReadyTimeout)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		c, err := net.DialTimeout("tcp", f.address, time.Second)
		if err == nil {
			return c.Close()
		}
		time.Sleep(time.Duration(min(attempt+1, 10)) * 20 * time.Millisecond)
	}
	return fmt.Errorf("function %s did not listen on %s within %s", f.name, f.address, functionReadyTimeout)
}
