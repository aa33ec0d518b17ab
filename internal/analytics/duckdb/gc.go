package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultGrace is how long a file replaced by a publish is kept, so that
// readers still showing the previous generation (they poll every few
// seconds) can finish their queries.
const DefaultGrace = 10 * time.Minute

// GCReport is what GC removed.
type GCReport struct {
	// Orphans are files no catalog entry ever named: left by imports that
	// failed or were killed.
	Orphans int
	// Retired are files replaced by a later publish, older than the grace.
	Retired int
	// Bytes is the space freed.
	Bytes int64
}

// GC removes the analytics files no catalog entry names: files of drafts
// that never published (unless the draft is still running: its lock is
// held) and files retired more than grace ago. It is safe to run while
// other processes import and serve.
func (s *Store) GC(ctx context.Context, grace time.Duration) (GCReport, error) {
	var rep GCReport
	retired, err := s.cat.Retired(ctx, time.Now().Add(-grace))
	if err != nil {
		return rep, fmt.Errorf("analytics: gc: %w", err)
	}
	retiredSet := map[string]bool{}
	for _, p := range retired {
		retiredSet[p] = true
	}
	var recent map[string]bool // retired within the grace: kept
	snap, err := s.cat.Snapshot(ctx)
	if err != nil {
		return rep, fmt.Errorf("analytics: gc: %w", err)
	}
	named := map[string]bool{}
	for _, f := range snap.Files {
		named[f.Path] = true
	}
	all, err := s.cat.Retired(ctx, time.Now().Add(time.Hour))
	if err != nil {
		return rep, fmt.Errorf("analytics: gc: %w", err)
	}
	recent = map[string]bool{}
	for _, p := range all {
		if !retiredSet[p] {
			recent[p] = true
		}
	}
	// Candidates: files named by nothing, grouped by the draft that wrote
	// them.
	byRun := map[string][]string{}
	var gone []string
	for _, ds := range datasets {
		dir := filepath.Join(s.root, ds.name)
		err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if e.IsDir() || !strings.HasSuffix(path, ".parquet") {
				return nil
			}
			rel, err := filepath.Rel(s.root, path)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			switch {
			case named[rel], recent[rel]:
			case retiredSet[rel]:
				gone = append(gone, rel)
			default:
				run := strings.SplitN(filepath.Base(path), "-", 3)
				if len(run) < 3 {
					return nil // not a file ccg wrote
				}
				id := run[0] + "-" + run[1]
				byRun[id] = append(byRun[id], rel)
			}
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("analytics: gc: %w", err)
		}
	}
	remove := func(rel string) {
		p := s.abs(rel)
		if st, err := os.Stat(p); err == nil {
			if os.Remove(p) == nil {
				rep.Bytes += st.Size()
			}
		}
		os.Remove(filepath.Dir(p)) // the month's folder, when empty
	}
	for _, rel := range gone {
		remove(rel)
		rep.Retired++
	}
	if len(retired) > 0 {
		if err := s.cat.Forget(ctx, retired); err != nil {
			return rep, fmt.Errorf("analytics: gc: %w", err)
		}
	}
	for run, rels := range byRun {
		unlock, ok := tryLockRun(s.root, run)
		if !ok {
			continue // a draft still running
		}
		// Read the catalog again now that the run cannot publish any more:
		// it may have published between the first read and the lock.
		now, err := s.cat.Snapshot(ctx)
		if err != nil {
			unlock()
			return rep, fmt.Errorf("analytics: gc: %w", err)
		}
		still := map[string]bool{}
		for _, f := range now.Files {
			still[f.Path] = true
		}
		for _, rel := range rels {
			if !still[rel] {
				remove(rel)
				rep.Orphans++
			}
		}
		unlock()
		os.Remove(lockPath(s.root, run))
	}
	s.gcTemp()
	return rep, nil
}

// lockPath is the lock file of a draft.
func lockPath(root, run string) string { return filepath.Join(root, "locks", run+".lock") }

// lockRun takes the lock of a new draft.
func lockRun(root, run string) (func(), error) {
	if err := os.MkdirAll(filepath.Join(root, "locks"), 0o750); err != nil {
		return nil, err
	}
	unlock, ok := tryLockRun(root, run)
	if !ok {
		return nil, fmt.Errorf("lock %s: held by another process", run)
	}
	return func() {
		unlock()
		os.Remove(lockPath(root, run))
	}, nil
}

// gcTemp removes the temporary folders of processes that are gone.
func (s *Store) gcTemp() {
	dir := filepath.Join(s.root, "tmp")
	es, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range es {
		p := filepath.Join(dir, e.Name())
		if p == s.tmp || !e.IsDir() {
			continue
		}
		unlock, ok := tryLockRun(s.root, "tmp-"+e.Name())
		if !ok {
			continue
		}
		if st, err := os.Stat(p); err == nil && !processAlive(e.Name()) && time.Since(st.ModTime()) > time.Minute {
			os.RemoveAll(p)
		}
		unlock()
		os.Remove(lockPath(s.root, "tmp-"+e.Name()))
	}
}
