//go:build unix

package duckdb

import (
	"io"
	"os"
	"syscall"
	"time"
)

const pipesSupported = true

func makePipe(path string) error { return syscall.Mkfifo(path, 0o600) }

// drainPipe reads a named pipe out until done is closed, so that a writer
// blocked opening or writing it can finish.
func drainPipe(path string, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		default:
		}
		if f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			_, _ = io.Copy(io.Discard, f)
			f.Close()
		}
		select {
		case <-done:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}
