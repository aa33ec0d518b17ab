package bnfsnomed

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ccg/internal/importing"
	"ccg/internal/store/sqlite"
)

func TestRejectsBadRows(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "ccg.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	rows := [][]any{
		{"Presentation / Pack Level", "VMP / VMPP/ AMP / AMPP", "BNF Code", "MDR: Product Description", "SNOMED Code"},
		{"Presentation", "VMP", "'0501013B0AAABAB", "Amoxicillin_Cap 500mg", "'3000001"},
		{"Presentation", "VMP", "'0501013B0AAABAB", "Amoxicillin_Cap 500mg", "'12"},
		{"Presentation", "VTM", "", "", "'3000002"},
		{"Presentation", "AMP", "'not a code", "", "'3000003"},
		{"Presentation", "VMP", "", "", "'3000001"},
	}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", "A"+string(rune('1'+i)), &r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "mapping.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	svc := importing.NewService(st, NewHandler(st))
	sum, err := svc.ImportFile(ctx, "bnf-snomed-mapping", path, importing.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line int
		says string
	}{{3, "not a SNOMED code"}, {4, "not VMP, VMPP, AMP or AMPP"}, {5, "not a BNF presentation code"}, {6, "already on line 2"}}
	if sum.Accepted != 1 || len(sum.Rejections) != len(want) {
		t.Fatalf("summary %+v", sum)
	}
	for i, w := range want {
		if r := sum.Rejections[i]; r.Line != w.line || !strings.Contains(r.Reason, w.says) {
			t.Errorf("rejection %d: %+v, want line %d %q", i, r, w.line, w.says)
		}
	}
	if _, err := svc.ImportFile(ctx, "bnf-snomed-mapping", filepath.Join("..", "..", "..", "go.mod"), importing.Options{}); err == nil || !strings.Contains(err.Error(), "not an .xlsx spreadsheet") {
		t.Fatalf("a text file: %v", err)
	}
}
