package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// staticFiles are the embedded files under static/, with a content hash of
// each for cache busting and ETags.
type staticFiles struct {
	fsys   fs.FS
	hashes map[string]string
}

// loadStatic hashes every file under static/.
func loadStatic(root fs.FS) (*staticFiles, error) {
	sub, err := fs.Sub(root, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	sf := &staticFiles{fsys: sub, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		sf.hashes[p] = hex.EncodeToString(h[:6])
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	for _, need := range []string{"ccg.css", "ccg.js", "nhsuk/nhsuk-frontend.min.css", "nhsuk/nhsuk-frontend.min.js"} {
		if _, ok := sf.hashes[need]; !ok {
			return nil, fmt.Errorf("web: static file %s is missing (run make assets)", need)
		}
	}
	return sf, nil
}

// staticURL returns the address of a static file with its hash, so that it
// can be cached for a year and still change when the file does.
func (s *Server) staticURL(name string) (string, error) {
	h, ok := s.static.hashes[name]
	if !ok {
		return "", fmt.Errorf("web: no static file %q", name)
	}
	return "/static/" + name + "?v=" + h, nil
}

// serveStatic serves an embedded file: cached for a year when asked for by
// its current hash (as staticURL writes it), for an hour otherwise.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) error {
	return s.serveStaticFile(w, r, r.PathValue("path"))
}

// serveFavicon serves the NHS favicon at the address browsers ask for.
func (s *Server) serveFavicon(w http.ResponseWriter, r *http.Request) error {
	return s.serveStaticFile(w, r, "nhsuk/images/favicon.ico")
}

func (s *Server) serveStaticFile(w http.ResponseWriter, r *http.Request, name string) error {
	hash, ok := s.static.hashes[name]
	if !ok || strings.Contains(name, "..") {
		return notFound("There is no file at %s.", r.URL.Path)
	}
	b, err := fs.ReadFile(s.static.fsys, name)
	if err != nil {
		return fmt.Errorf("web: static %s: %w", name, err)
	}
	h := w.Header()
	h.Set("ETag", `"`+hash+`"`)
	if r.URL.Query().Get("v") == hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=3600")
	}
	if strings.HasSuffix(name, ".js") {
		h.Set("Content-Type", "text/javascript; charset=utf-8")
	}
	if !strings.Contains(name, ".") || strings.HasSuffix(name, "LICENCE") || strings.HasSuffix(name, "VERSION") {
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	return nil
}
