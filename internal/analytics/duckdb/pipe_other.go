//go:build !unix

package duckdb

import "errors"

const pipesSupported = false

func makePipe(string) error { return errors.New("named pipes are not supported here") }

func drainPipe(string, <-chan struct{}) {}
