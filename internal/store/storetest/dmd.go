package storetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccg/internal/dmd"
	"ccg/internal/errs"
	"ccg/internal/formats/bnfsnomed"
	dmdformat "ccg/internal/formats/dmd"
	"ccg/internal/importing"
	"ccg/internal/store/sqlstore"
)

func init() { Register(Suite{Name: "dmd", Run: dmdSuite}) }

func dmdSuite(t *testing.T, open Opener) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, st *sqlstore.Store)
	}{
		{"real release and mapping", dmdReal},
		{"reference tables", dmdReference},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, Migrated(t, open)) })
	}
}

// sharedDMD returns ../shared/data/dmd from the project's root, or skips.
func sharedDMD(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/data/dmd not present (a user's clone): real dm+d test skipped")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "data", "dmd")
	if _, err := os.Stat(filepath.Join(d, "f_vmp2_3010419.xml")); err != nil {
		t.Skip("../shared/data/dmd not present (a user's clone): real dm+d test skipped")
	}
	return d
}

// dmdReal imports the real sample release (a subset of NHSBSA release
// 4.0.1) and its BNF-SNOMED mapping through the import pipeline, as the
// command line does, and checks what was stored, that nothing was
// rejected, and that importing both again changes nothing.
func dmdReal(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	dir := sharedDMD(t)
	var store dmd.Store = st
	svc := importing.NewService(st, dmdformat.NewHandler(store), bnfsnomed.NewHandler(store))
	b, err := dmdformat.OpenFolder(dir)
	must(t, "open folder", err)
	defer b.Close()
	sum, err := svc.Import(ctx, "dmd", b.Name, b, b.Size, importing.Options{Strict: true})
	must(t, "import dmd", err)
	if sum.AlreadyImported || sum.Rejected != 0 {
		t.Fatalf("summary %+v", sum)
	}
	counts := map[string]int{}
	var pilocarpine dmd.Record
	must(t, "records", store.EachDMDRecord(ctx, func(r dmd.Record) error {
		counts[r.Table]++
		if r.Table == "vmp" && r.Get("VPID") == "36016311000001102" {
			pilocarpine = r
		}
		return nil
	}))
	want := map[string]int{"vtm": 2859, "ing": 3482, "vmp": 7, "vpi": 8, "ont": 5, "dform": 7, "droute": 7, "controlinfo": 7,
		"amp": 15, "aping": 2, "licroute": 7, "vmpp": 14, "dtinfo": 3, "ampp": 26, "prescribinfo": 13, "priceinfo": 26,
		"reimbinfo": 26, "gtin": 16, "unitofmeasure": 166, "ontformroute": 327, "supplier": 1818}
	for tbl, n := range want {
		if counts[tbl] != n {
			t.Errorf("table %s: %d records, want %d", tbl, counts[tbl], n)
		}
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	lookups := 0
	for _, tb := range dmd.Tables {
		if tb.File == "lookup" {
			lookups += counts[tb.Name]
		}
	}
	if lookups != 3000 || sum.Accepted != total {
		t.Fatalf("lookups %d (want 3000), accepted %d of %d stored", lookups, sum.Accepted, total)
	}
	if pilocarpine.Get("VPIDPREV") != "347209005" || pilocarpine.Get("NM") != "Pilocarpine hydrochloride 6% eye drops preservative free" {
		t.Fatalf("pilocarpine %+v", pilGet(pilocarpine))
	}
	rel, err := store.DMDRelease(ctx)
	must(t, "release", err)
	if rel.Name != "3010419" || int(rel.Records) != total || len(rel.Files) != 8 {
		t.Fatalf("release %+v", rel)
	}

	again, err := dmdformat.OpenFolder(dir)
	must(t, "open again", err)
	defer again.Close()
	sum2, err := svc.Import(ctx, "dmd", again.Name, again, again.Size, importing.Options{})
	must(t, "import again", err)
	if !sum2.AlreadyImported {
		t.Fatalf("second import %+v", sum2)
	}

	mapping := filepath.Join(dir, "bnf_snomed_mapping", "mapping.xlsx")
	ms, err := svc.ImportFile(ctx, "bnf-snomed-mapping", mapping, importing.Options{Strict: true})
	must(t, "import mapping", err)
	if ms.Accepted != 56 || ms.Changed != 56 {
		t.Fatalf("mapping summary %+v", ms)
	}
	rows, err := store.BNFMapping(ctx)
	must(t, "mapping", err)
	byCode := map[string]dmd.Mapping{}
	withBNF := 0
	for _, m := range rows {
		byCode[m.SNOMED] = m
		if m.BNFCode != "" {
			withBNF++
		}
	}
	if len(rows) != 56 || withBNF != 48 {
		t.Fatalf("%d mapping rows, %d with BNF codes; want 56 and 48", len(rows), withBNF)
	}
	if m := byCode["442611000001109"]; m.Level != "AMP" || m.BNFCode != "090402000BBDUA0" || m.BNFName != "Nutrison_Liq" {
		t.Fatalf("Nutrison AMP mapped as %+v", m)
	}
	if m := byCode["36016311000001102"]; m.Level != "VMP" || m.BNFCode != "1106000X0AAA4A4" {
		t.Fatalf("pilocarpine VMP mapped as %+v", m)
	}
	ms2, err := svc.ImportFile(ctx, "bnf-snomed-mapping", mapping, importing.Options{})
	must(t, "mapping again", err)
	if !ms2.AlreadyImported {
		t.Fatalf("second mapping import %+v", ms2)
	}
	// The same rows from another file change nothing.
	changed, err := store.ReplaceBNFMapping(ctx, rows)
	must(t, "replace same", err)
	if changed != 0 {
		t.Fatalf("replacing the mapping by itself changed %d rows", changed)
	}
}

func pilGet(r dmd.Record) string {
	var b strings.Builder
	for _, f := range r.Fields {
		b.WriteString(f.Tag + "=" + f.Value + " ")
	}
	return b.String()
}

func dmdReference(t *testing.T, st *sqlstore.Store) {
	ctx := context.Background()
	var store dmd.Store = st
	_, err := store.DMDRelease(ctx)
	wantErr(t, "no release", err, errs.ErrNotFound)
	tbl := dmd.ReferenceTable{Name: "bdz_adq", Content: "bnf_code,percent_of_adq\n0401020K0AAAHAH,0.5\n", SHA256: "a"}
	changed, err := store.PutReferenceTable(ctx, tbl)
	wantChanged(t, "put", changed, err, true)
	changed, err = store.PutReferenceTable(ctx, tbl)
	wantChanged(t, "put same", changed, err, false)
	tbl.Content, tbl.SHA256 = "bnf_code,percent_of_adq\n", "b"
	changed, err = store.PutReferenceTable(ctx, tbl)
	wantChanged(t, "put changed", changed, err, true)
	all, err := store.ReferenceTables(ctx)
	must(t, "list", err)
	if len(all) != 1 || all[0].Content != tbl.Content || all[0].SHA256 != "b" {
		t.Fatalf("tables %+v", all)
	}
}
