package importing

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, name, data string) ([][]string, error) {
	t.Helper()
	c := NewCSV(NewSource(name, strings.NewReader(data)))
	var rows [][]string
	for {
		rec, err := c.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, append([]string(nil), rec...))
	}
}

func TestCSVErrorsNamePlace(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr string // prefix of the error message, "" for none
		rows    int
	}{
		{"clean quoted rows", "\"A\",\"B\"\n\"C\",\"D\"\n", "", 2},
		{"byte order mark is skipped", "\xEF\xBB\xBF\"A\",\"B\"\n", "", 1},
		{"crlf line ends", "a,b\r\nc,d\r\n", "", 2},
		{"cut short inside quotes", "\"A\",\"B\"\n\"C\",\"D", "f.csv:2:", 1},
		{"bare quote", "a,b\"c\n", "f.csv:1:", 0},
		{"NUL byte", "a,b\nc,\x00d\n", "f.csv:2:3:", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readAll(t, "f.csv", tt.data)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			} else {
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Fatalf("error %v is not a *FileError", err)
				}
				if !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error %q does not start with %q", err, tt.wantErr)
				}
			}
			if len(rows) != tt.rows {
				t.Errorf("read %d rows before stopping, want %d", len(rows), tt.rows)
			}
		})
	}
}

func TestCSVPositions(t *testing.T) {
	c := NewCSV(NewSource("p.csv", strings.NewReader("h1,h2,h3\n\"x\",\"yy\",zz\n")))
	if _, err := c.Read(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(); err != nil {
		t.Fatal(err)
	}
	if c.Line() != 2 {
		t.Errorf("Line = %d, want 2", c.Line())
	}
	line, col := c.Pos(2)
	if line != 2 || col != 10 {
		t.Errorf("Pos(2) = %d:%d, want 2:10", line, col)
	}
	rej := c.Rejection(1, "h2", "bad")
	if rej.Line != 2 || rej.Column != 5 || rej.Record != "x,yy,zz" {
		t.Errorf("Rejection = %+v", rej)
	}
	if got := c.Errorf(0, "oops").Error(); got != "p.csv:2:1: oops" {
		t.Errorf("Errorf = %q", got)
	}
}

func TestText(t *testing.T) {
	tests := map[string]string{
		"  plain  ":       "plain",
		"caf\xe9":         "café",
		"already ünicode": "already ünicode",
	}
	for in, want := range tests {
		t.Run(want, func(t *testing.T) {
			if got := Text(in); got != want {
				t.Errorf("Text(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestFileErrorForms(t *testing.T) {
	base := errors.New("bad")
	tests := []struct {
		e    FileError
		want string
	}{
		{FileError{File: "a", Err: base}, "a: bad"},
		{FileError{File: "a", Line: 3, Err: base}, "a:3: bad"},
		{FileError{File: "a", Line: 3, Column: 7, Err: base}, "a:3:7: bad"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("got %q want %q", got, tt.want)
			}
			if !errors.Is(&tt.e, base) {
				t.Error("Unwrap lost the cause")
			}
		})
	}
}

func TestCheckWidth(t *testing.T) {
	tests := []struct {
		name, row string
		want      string // "" for no error
	}{
		{"right width", "a,b,c", ""},
		{"cut short", "a,b", "w.csv:2:3: row has 2 columns, the header has 3 (is the file cut short?)"},
		{"too many", "a,b,c,d", "w.csv:2:7: row has 4 columns, the header has 3 (is a comma missing its quotes?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCSV(NewSource("w.csv", strings.NewReader("h1,h2,h3\n"+tt.row+"\n")))
			if _, err := c.Read(); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Read(); err != nil {
				t.Fatal(err)
			}
			err := c.CheckWidth(3, "is a comma missing its quotes?")
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}
