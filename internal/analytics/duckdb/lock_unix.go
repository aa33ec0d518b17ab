//go:build unix

package duckdb

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// tryLockRun takes an exclusive advisory lock on a draft's lock file
// without waiting. The kernel drops it when the process dies, so a killed
// import's files become collectable at once.
func tryLockRun(root, run string) (func(), bool) {
	p := lockPath(root, run)
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return nil, false
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, true
}

// processAlive reports whether the process that made a temporary folder
// (named "<host>_p<pid>_...") may still be running: true for folders of
// other machines.
func processAlive(name string) bool {
	host, _ := os.Hostname()
	host = strings.NewReplacer("/", "", "_", "").Replace(host)
	rest, ok := strings.CutPrefix(name, host+"_p")
	if !ok {
		return true
	}
	pid, err := strconv.Atoi(strings.SplitN(rest, "_", 2)[0])
	if err != nil || pid <= 0 {
		return true
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
