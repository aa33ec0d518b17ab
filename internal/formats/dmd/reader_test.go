package dmd

import (
	"errors"
	"strings"
	"testing"

	"ccg/internal/importing"
)

func TestReadFile(t *testing.T) {
	const vmp = `<?xml version="1.0"?>
<VIRTUAL_MED_PRODUCTS>
  <VMPS>
    <VMP><VPID>3000001</VPID><NM>Amoxicillin 500mg capsules</NM><UDFS>1.0</UDFS></VMP>
    <VMP><NM>No identifier</NM></VMP>
    <VMP><VPID>3000002</VPID><NMDT>2024-13</NMDT></VMP>
    <VMP><VPID>3000003</VPID><UDFS>lots</UDFS></VMP>
  </VMPS>
  <VIRTUAL_PRODUCT_INGREDIENT>
    <VPI><VPID>3000001</VPID><ISID>1000101</ISID><STRNT_NMRTR_VAL>500</STRNT_NMRTR_VAL></VPI>
  </VIRTUAL_PRODUCT_INGREDIENT>
  <SOMETHING_NEW><X><VPID>1</VPID></X></SOMETHING_NEW>
</VIRTUAL_MED_PRODUCTS>`
	var got []Element
	var problems []Problem
	err := ReadFile("f_vmp2_1.xml", "vmp", strings.NewReader(vmp), func(e Element) error { got = append(got, e); return nil },
		func(p Problem) { problems = append(problems, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Table != "vmp" || got[0].Get("NM") != "Amoxicillin 500mg capsules" || got[0].Line != 4 ||
		got[1].Table != "vpi" || got[1].Get("STRNT_NMRTR_VAL") != "500" || got[1].Seq != 1 {
		t.Fatalf("records %+v", got)
	}
	want := []struct {
		line int
		says string
	}{{5, "has no VPID"}, {6, `NMDT is "2024-13", which is not a date`}, {7, `UDFS is "lots", which is not a number`}}
	if len(problems) != len(want) {
		t.Fatalf("problems %+v", problems)
	}
	for i, w := range want {
		if problems[i].Line != w.line || !strings.Contains(problems[i].Reason, w.says) {
			t.Errorf("problem %d: %+v, want line %d %q", i, problems[i], w.line, w.says)
		}
	}
}

func TestReadFileBroken(t *testing.T) {
	for _, tc := range []struct {
		name, kind, body string
		line             int
		says             string
	}{
		{"not XML", "vtm", "VTMID,NM\n1,x\n", 1, "not well-formed XML"},
		{"cut short", "vtm", "<VIRTUAL_THERAPEUTIC_MOIETIES>\n<VTM><VTMID>1</VTMID>\n<NM>x", 3, "not well-formed XML"},
		{"wrong file", "vmp", "<LOOKUP>\n</LOOKUP>", 1, "not a dm+d vmp file"},
		{"empty", "vtm", "", 0, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ReadFile("f_x.xml", tc.kind, strings.NewReader(tc.body), func(Element) error { return nil }, func(Problem) {})
			var fe *importing.FileError
			if !errors.As(err, &fe) || fe.File != "f_x.xml" || fe.Line != tc.line || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("got %v (%+v)", err, fe)
			}
		})
	}
}

func TestGTINNested(t *testing.T) {
	const gtin = `<GTIN_DETAILS><AMPPS><AMPP><AMPPID>7000001</AMPPID>
<GTINDATA><GTIN>5000000000001</GTIN><STARTDT>2010-01-01</STARTDT></GTINDATA>
<GTINDATA><GTIN>5000000000002</GTIN><STARTDT>2012-01-01</STARTDT><ENDDT>2013-01-01</ENDDT></GTINDATA>
</AMPP></AMPPS></GTIN_DETAILS>`
	var got []Element
	if err := ReadFile("f_gtin2_1.xml", "gtin", strings.NewReader(gtin), func(e Element) error { got = append(got, e); return nil }, func(p Problem) { t.Errorf("problem %+v", p) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Get("AMPPID") != "7000001" || got[1].Get("AMPPID") != "7000001" || got[1].Get("ENDDT") != "2013-01-01" || got[1].Line != 3 {
		t.Fatalf("gtin %+v", got)
	}
}
