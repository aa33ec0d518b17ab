//go:build !unix

package duckdb

import (
	"os"
	"time"
)

// tryLockRun, without advisory locks, treats a draft as running while its
// lock file is younger than a day.
func tryLockRun(root, run string) (func(), bool) {
	p := lockPath(root, run)
	if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) < 24*time.Hour {
		return nil, false
	}
	if f, err := os.Create(p); err == nil {
		f.Close()
	}
	return func() {}, true
}

// processAlive cannot tell here: temporary folders are kept.
func processAlive(string) bool { return true }
