package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// progressBar draws an import's progress on a terminal line:
//
//	ods-practices epraccur.csv [#########-----------]  45%  1.2 MB/2.6 MB  3s
type progressBar struct {
	w       io.Writer
	label   string
	total   int64
	started time.Time
	last    time.Time
}

func newProgressBar(w io.Writer) *progressBar { return &progressBar{w: w} }

// Start implements importing.Progress.
func (p *progressBar) Start(label string, total int64) {
	p.label, p.total, p.started = label, total, time.Now()
	p.draw(0)
}

// Advance implements importing.Progress.
func (p *progressBar) Advance(done int64) {
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.draw(done)
}

// Finish implements importing.Progress.
func (p *progressBar) Finish() {
	p.draw(p.total)
	fmt.Fprintln(p.w)
}

func (p *progressBar) draw(done int64) {
	p.last = time.Now()
	const width = 30
	frac := 0.0
	if p.total > 0 {
		frac = float64(done) / float64(p.total)
	}
	if frac > 1 {
		frac = 1
	}
	n := int(frac * width)
	bar := strings.Repeat("#", n) + strings.Repeat("-", width-n)
	fmt.Fprintf(p.w, "\r%s [%s] %3.0f%%  %s/%s  %s ", p.label, bar, frac*100,
		byteSize(done), byteSize(p.total), time.Since(p.started).Round(time.Second))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
