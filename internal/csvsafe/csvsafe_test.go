package csvsafe

import (
	"strings"
	"testing"
)

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Abbey Surgery", "Abbey Surgery"},
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"-12.5", "-12.5"},
		{"+44", "+44"},
		{"a=b", "a=b"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := Cell(tc.in); got != tc.want {
				t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	if err := w.WriteAll([][]string{{"name", "value"}, {"=1+1", "-3"}}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "name,value\n'=1+1,-3\n" {
		t.Errorf("got %q", got)
	}
}
