package duckdb

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// feed streams a CSV file to DuckDB through one or more named pipes (or,
// where named pipes are not available, one temporary file). Each pipe gets
// the header line and then whole-record chunks of the file, so that DuckDB
// can read the pipes in parallel; feed remembers where every chunk came
// from so that a line DuckDB reports in a pipe can be mapped back to the
// line in the original file.
type feed struct {
	Paths []string

	dir     string
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	chunks  [][]chunkInfo // per path, in the order written
	readErr error
	check   *rowCheck // checks rows on their way (nil: none)
	closed  sync.Once
}

type chunkInfo struct {
	pipeFirst int // first line of the chunk in the pipe (the header is line 1)
	fileFirst int // the same line's number in the original file
	lines     int
}

// feedChunk is the size of the chunks handed to the pipes.
const feedChunk = 4 << 20

// startFeed creates n pipes in a new folder under tmp and starts copying
// r (the file after its header line) into them. header is the file's first
// line, newline included.
func startFeed(tmp string, r io.Reader, header []byte, n int, check *rowCheck) (*feed, error) {
	dir, err := os.MkdirTemp(tmp, "feed-*")
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	f := &feed{dir: dir, stop: make(chan struct{}), check: check}
	if !pipesSupported {
		// Fall back to one temporary file holding the whole input (checked
		// as a whole: the rows are read into memory).
		p := filepath.Join(dir, "input.csv")
		out, err := os.Create(p)
		if err != nil {
			return nil, fmt.Errorf("feed: %w", err)
		}
		if _, err := out.Write(header); err == nil {
			var body []byte
			if body, err = io.ReadAll(r); err == nil {
				if len(body) > 0 && body[len(body)-1] != '\n' {
					body = append(body, '\n')
				}
				_, err = out.Write(check.chunk(body, 2))
			}
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("feed: %w", err)
		}
		f.Paths = []string{p}
		f.chunks = [][]chunkInfo{{{pipeFirst: 2, fileFirst: 2, lines: 1 << 62}}}
		return f, nil
	}
	if n < 1 {
		n = 1
	}
	f.chunks = make([][]chunkInfo, n)
	for i := 0; i < n; i++ {
		p := filepath.Join(dir, fmt.Sprintf("part%d.csv", i))
		if err := makePipe(p); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("feed: %w", err)
		}
		f.Paths = append(f.Paths, p)
	}
	type chunk struct {
		data      []byte
		fileFirst int
		lines     int
	}
	ch := make(chan chunk, n)
	for i, p := range f.Paths {
		f.wg.Add(1)
		go func(i int, p string) {
			defer f.wg.Done()
			w, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				// Drain so the splitter does not block.
				for range ch {
				}
				return
			}
			defer w.Close()
			line := 2
			stopped := false
			if _, err := w.Write(header); err != nil {
				stopped = true
			}
			for c := range ch {
				if stopped {
					continue
				}
				select {
				case <-f.stop:
					stopped = true
					continue
				default:
				}
				f.mu.Lock()
				f.chunks[i] = append(f.chunks[i], chunkInfo{pipeFirst: line, fileFirst: c.fileFirst, lines: c.lines})
				f.mu.Unlock()
				line += c.lines
				if _, err := w.Write(f.check.chunk(c.data, c.fileFirst)); err != nil {
					stopped = true
				}
			}
		}(i, p)
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer close(ch)
		br := bufio.NewReaderSize(r, 1<<20)
		fileLine := 2
		inQuote := false
		for {
			select {
			case <-f.stop:
				return
			default:
			}
			buf := make([]byte, feedChunk, feedChunk+4096)
			k, err := io.ReadFull(br, buf)
			buf = buf[:k]
			if k > 0 {
				// Extend to the end of a record: a newline outside quotes.
				inQuote = quoteState(buf, inQuote)
				for (len(buf) > 0 && buf[len(buf)-1] != '\n') || inQuote {
					rest, rerr := br.ReadSlice('\n')
					buf = append(buf, rest...)
					inQuote = quoteState(rest, inQuote)
					if rerr == bufio.ErrBufferFull {
						continue
					}
					if rerr != nil {
						if rerr != io.EOF {
							f.setErr(rerr)
						}
						break
					}
				}
				if len(buf) > 0 && buf[len(buf)-1] != '\n' {
					buf = append(buf, '\n') // a last line without its newline
				}
				lines := bytes.Count(buf, []byte{'\n'})
				select {
				case ch <- chunk{data: buf, fileFirst: fileLine, lines: lines}:
				case <-f.stop:
					return
				}
				fileLine += lines
			}
			if err != nil {
				if err != io.EOF && err != io.ErrUnexpectedEOF {
					f.setErr(err)
				}
				return
			}
		}
	}()
	return f, nil
}

// quoteState returns whether a CSV scan that started inside quotes (in)
// ends inside quotes after b. Doubled quotes toggle twice, so counting
// works.
func quoteState(b []byte, in bool) bool {
	if bytes.Count(b, []byte{'"'})%2 == 1 {
		return !in
	}
	return in
}

func (f *feed) setErr(err error) {
	f.mu.Lock()
	if f.readErr == nil {
		f.readErr = err
	}
	f.mu.Unlock()
}

// Close stops the feed, unblocks any writer still waiting for DuckDB, waits
// for the goroutines and removes the pipes. It returns the error met
// reading the input, if any.
func (f *feed) Close() error {
	f.halt()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	// Writers blocked opening or writing a pipe nobody reads: read them out.
	for _, p := range f.Paths {
		go drainPipe(p, done)
	}
	<-done
	os.RemoveAll(f.dir)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.readErr
}

// FileLine maps a line number DuckDB reported in pipe i to the line of the
// original file (0 when unknown).
func (f *feed) FileLine(i, line int) int {
	if line <= 1 {
		return line
	}
	if i < 0 || i >= len(f.chunks) {
		return 0
	}
	cs := f.chunks[i]
	k := sort.Search(len(cs), func(j int) bool { return cs[j].pipeFirst+cs[j].lines > line })
	if k == len(cs) || cs[k].pipeFirst > line {
		return 0
	}
	return cs[k].fileFirst + (line - cs[k].pipeFirst)
}

// PathIndex returns the index of a pipe path, or -1.
func (f *feed) PathIndex(p string) int {
	for i, q := range f.Paths {
		if q == p || filepath.Base(q) == filepath.Base(p) {
			return i
		}
	}
	return -1
}

// watch closes the feed when ctx is cancelled.
func (f *feed) watch(ctx context.Context) func() {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			f.halt()
		case <-done:
		}
	}()
	return func() { close(done) }
}

// halt closes the stop channel once, whoever asks first (Close or the
// cancellation watcher).
func (f *feed) halt() { f.closed.Do(func() { close(f.stop) }) }
