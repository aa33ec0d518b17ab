package opcompat

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"ccg/internal/dmd"
	"ccg/internal/errs"
)

// DMDCache keeps the dm+d tables, typed and with their BNF codes, as
// Parquet files, so that each sandbox reads them in a moment instead of
// decoding every stored record again. The files are rebuilt when the
// release or the mapping changes. The zero value is ready to use.
type DMDCache struct {
	mu  sync.Mutex
	key string
	dir string
	old []string // folders of earlier keys, which running sandboxes may still read
}

// key identifies the stored release and mapping.
func cacheKey(ctx context.Context, st dmd.Store) (string, error) {
	h := sha256.New()
	rel, err := st.DMDRelease(ctx)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		fmt.Fprint(h, "no release\n")
	case err != nil:
		return "", err
	default:
		fmt.Fprintf(h, "%s %s %d\n", rel.Name, rel.Imported.UTC().Format("2006-01-02T15:04:05.000000000"), rel.Records)
	}
	ms, err := st.BNFMapping(ctx)
	if err != nil {
		return "", err
	}
	for _, m := range ms {
		fmt.Fprintf(h, "%s\t%s\t%s\t%s\t%s\n", m.SNOMED, m.Level, m.BNFCode, m.BNFName, m.DMDName)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// files returns the folder of Parquet files of the current dm+d, building
// it when the release or mapping changed.
func (c *DMDCache) files(ctx context.Context, st dmd.Store) (string, error) {
	key, err := cacheKey(ctx, st)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if key == c.key && c.dir != "" {
		if _, err := os.Stat(c.dir); err == nil {
			return c.dir, nil
		}
	}
	dir, err := os.MkdirTemp("", "ccg-dmd-cache-*")
	if err != nil {
		return "", err
	}
	if err := buildCache(ctx, st, dir); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	if c.dir != "" {
		c.old = append(c.old, c.dir)
	}
	c.key, c.dir = key, dir
	return dir, nil
}

// Close removes the cached files.
func (c *DMDCache) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range append(c.old, c.dir) {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	c.key, c.dir, c.old = "", "", nil
	return nil
}

// cachedTables are the tables written to the cache.
func cachedTables() []string {
	names := []string{"bnf_snomed_mapping"}
	for _, t := range dmd.Tables {
		names = append(names, t.Name)
	}
	return names
}

// buildCache loads the dm+d into a scratch DuckDB and writes each table
// as Parquet.
func buildCache(ctx context.Context, st dmd.Store, dir string) error {
	connector, err := duckdbdriver.NewConnector("", nil)
	if err != nil {
		return err
	}
	sb := &Sandbox{db: sql.OpenDB(connector), dir: dir}
	defer sb.db.Close()
	if err := sb.exec(ctx, "SET threads = 2", "CREATE SCHEMA dmd"); err != nil {
		return err
	}
	if err := sb.loadDMD(ctx, st); err != nil {
		return err
	}
	for _, t := range cachedTables() {
		if err := sb.exec(ctx, "COPY dmd."+t+" TO '"+quotePath(filepath.Join(dir, t+".parquet"))+"' (FORMAT parquet)"); err != nil {
			return err
		}
	}
	return nil
}

func quotePath(p string) string { return strings.ReplaceAll(p, "'", "''") }

// loadCachedDMD creates the dm+d tables as views over the cache's files.
func (sb *Sandbox) loadCachedDMD(ctx context.Context, dir string) error {
	for _, t := range cachedTables() {
		if err := sb.exec(ctx, "CREATE VIEW dmd."+t+" AS SELECT * FROM read_parquet('"+quotePath(filepath.Join(dir, t+".parquet"))+"')"); err != nil {
			return err
		}
	}
	return nil
}
