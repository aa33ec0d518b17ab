package dmd

import (
	"sort"
	"strings"
)

// Type is a column's type, from the release's XSDs (xs:integer, xs:float,
// xs:date, xs:string), with OpenPrescribing's booleans for 0/1 flags.
type Type string

// Column types.
const (
	Integer Type = "BIGINT"
	Float   Type = "DOUBLE"
	Date    Type = "DATE"
	Text    Type = "VARCHAR"
	Flag    Type = "BOOLEAN"
)

// Column is one column of a table: the XML tag it is read from and its
// OpenPrescribing name.
type Column struct {
	Tag  string
	Name string
	Type Type
}

// Table describes one dm+d table: where its records are in the release
// files and its columns.
type Table struct {
	// Name is OpenPrescribing's table name ("vmp", "ontformroute").
	Name string
	// File is the release file kind: vtm, vmp, vmpp, amp, ampp,
	// ingredient, lookup or gtin (the file f_<kind>2_<release>.xml).
	File string
	// Section is the element under the file's root that holds the
	// records ("VMPS"), or "" when records sit directly under the root.
	Section string
	// Element is the record element ("VMP", "INFO").
	Element string
	// Nested, when set, is a child element of Element that is itself the
	// record, taking its parent's simple fields too (GTINDATA in AMPP).
	Nested string
	// Columns are the table's columns, in OpenPrescribing's order.
	Columns []Column
	// HasBNF marks the tables that get a bnf_code column from the
	// BNF-SNOMED mapping (vmp, amp, vmpp, ampp).
	HasBNF bool
}

// Column returns the column read from tag.
func (t Table) Column(tag string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Tag == tag {
			return c, true
		}
	}
	return Column{}, false
}

// IDColumn returns the tag of the table's own identifier ("" for tables
// without one).
func (t Table) IDColumn() string {
	for _, c := range t.Columns {
		if c.Name == "id" {
			return c.Tag
		}
	}
	return ""
}

var fkNames = map[string]string{
	"VTMID": "vtm", "VPID": "vmp", "APID": "amp", "VPPID": "vmpp", "APPID": "ampp", "ISID": "ing", "AMPPID": "ampp",
}

// columnName is OpenPrescribing's name for a tag: the table's own
// identifier is "id", identifiers of other objects are named after the
// object ("vmp"), DESC is "descr", a trailing CD is dropped (BASISCD is
// "basis"), everything else is the tag in lower case.
func columnName(ownID, tag string) string {
	switch {
	case tag == ownID:
		return "id"
	case fkNames[tag] != "":
		return fkNames[tag]
	case tag == "DESC":
		return "descr"
	case tag != "CD" && strings.HasSuffix(tag, "CD"):
		return strings.ToLower(strings.TrimSuffix(tag, "CD"))
	}
	return strings.ToLower(tag)
}

func table(name, file, section, element, ownID, cols string) Table {
	t := Table{Name: name, File: file, Section: section, Element: element}
	for _, c := range strings.Fields(cols) {
		tag, typ, _ := strings.Cut(c, ":")
		ty := map[string]Type{"i": Integer, "f": Float, "d": Date, "s": Text, "b": Flag}[typ]
		t.Columns = append(t.Columns, Column{Tag: tag, Name: columnName(ownID, tag), Type: ty})
	}
	switch name {
	case "vmp", "amp", "vmpp", "ampp":
		t.HasBNF = true
	}
	return t
}

// lookupTables maps the sections of f_lookup2 to OpenPrescribing's names.
var lookupTables = map[string]string{
	"COMBINATION_PACK_IND": "combinationpackind", "COMBINATION_PROD_IND": "combinationprodind",
	"BASIS_OF_NAME": "basisofname", "NAMECHANGE_REASON": "namechangereason",
	"VIRTUAL_PRODUCT_PRES_STATUS": "virtualproductpresstatus", "CONTROL_DRUG_CATEGORY": "controldrugcategory",
	"LICENSING_AUTHORITY": "licensingauthority", "UNIT_OF_MEASURE": "unitofmeasure", "FORM": "form",
	"ONT_FORM_ROUTE": "ontformroute", "ROUTE": "route", "DT_PAYMENT_CATEGORY": "dtpaymentcategory",
	"SUPPLIER": "supplier", "FLAVOUR": "flavour", "COLOUR": "colour", "BASIS_OF_STRNTH": "basisofstrnth",
	"REIMBURSEMENT_STATUS": "reimbursementstatus", "SPEC_CONT": "speccont", "DND": "dnd",
	"VIRTUAL_PRODUCT_NON_AVAIL": "virtualproductnonavail", "DISCONTINUED_IND": "discontinuedind",
	"DF_INDICATOR": "dfindicator", "PRICE_BASIS": "pricebasis", "LEGAL_CATEGORY": "legalcategory",
	"AVAILABILITY_RESTRICTION":          "availabilityrestriction",
	"LICENSING_AUTHORITY_CHANGE_REASON": "licensingauthoritychangereason",
}

// Tables lists every dm+d table, sorted by name.
var Tables = func() []Table {
	ts := []Table{
		table("vtm", "vtm", "", "VTM", "VTMID", "VTMID:i INVALID:b NM:s ABBREVNM:s VTMIDPREV:i VTMIDDT:d"),
		table("ing", "ingredient", "", "ING", "ISID", "ISID:i ISIDDT:d ISIDPREV:i INVALID:b NM:s"),
		table("vmp", "vmp", "VMPS", "VMP", "VPID", "VPID:i VPIDDT:d VPIDPREV:i VTMID:i INVALID:b NM:s ABBREVNM:s BASISCD:i NMDT:d NMPREV:s "+
			"BASIS_PREVCD:i NMCHANGECD:i COMBPRODCD:i PRES_STATCD:i SUG_F:b GLU_F:b PRES_F:b CFC_F:b NON_AVAILCD:i NON_AVAILDT:d "+
			"DF_INDCD:i UDFS:f UDFS_UOMCD:i UNIT_DOSE_UOMCD:i"),
		table("vpi", "vmp", "VIRTUAL_PRODUCT_INGREDIENT", "VPI", "", "VPID:i ISID:i BASIS_STRNTCD:i BS_SUBID:i STRNT_NMRTR_VAL:f "+
			"STRNT_NMRTR_UOMCD:i STRNT_DNMTR_VAL:f STRNT_DNMTR_UOMCD:i"),
		table("ont", "vmp", "ONT_DRUG_FORM", "ONT", "", "VPID:i FORMCD:i"),
		table("dform", "vmp", "DRUG_FORM", "DFORM", "", "VPID:i FORMCD:i"),
		table("droute", "vmp", "DRUG_ROUTE", "DROUTE", "", "VPID:i ROUTECD:i"),
		table("controlinfo", "vmp", "CONTROL_DRUG_INFO", "CONTROL_INFO", "", "VPID:i CATCD:i CATDT:d CAT_PREVCD:i"),
		table("amp", "amp", "AMPS", "AMP", "APID", "APID:i INVALID:b VPID:i NM:s ABBREVNM:s DESC:s NMDT:d NM_PREV:s SUPPCD:i LIC_AUTHCD:i "+
			"LIC_AUTH_PREVCD:i LIC_AUTHCHANGECD:i LIC_AUTHCHANGEDT:d COMBPRODCD:i FLAVOURCD:i EMA:b PARALLEL_IMPORT:b AVAIL_RESTRICTCD:i"),
		table("aping", "amp", "AP_INGREDIENT", "AP_ING", "", "APID:i ISID:i STRNTH:f UOMCD:i"),
		table("licroute", "amp", "LICENSED_ROUTE", "LIC_ROUTE", "", "APID:i ROUTECD:i"),
		table("apinfo", "amp", "AP_INFORMATION", "AP_INFO", "", "APID:i SZ_WEIGHT:s COLOURCD:i PROD_ORDER_NO:s"),
		table("vmpp", "vmpp", "VMPPS", "VMPP", "VPPID", "VPPID:i INVALID:b NM:s ABBREVNM:s VPID:i QTYVAL:f QTY_UOMCD:i COMBPACKCD:i"),
		table("dtinfo", "vmpp", "DRUG_TARIFF_INFO", "DTINFO", "", "VPPID:i PAY_CATCD:i PRICE:i DT:d PREVPRICE:i"),
		table("ampp", "ampp", "AMPPS", "AMPP", "APPID", "APPID:i INVALID:b NM:s ABBREVNM:s VPPID:i APID:i COMBPACKCD:i LEGAL_CATCD:i "+
			"SUBP:s DISCCD:i DISCDT:d"),
		table("packinfo", "ampp", "APPLIANCE_PACK_INFO", "PACK_INFO", "", "APPID:i REIMB_STATCD:i REIMB_STATDT:d REIMB_STATPREVCD:i PACK_ORDER_NO:s"),
		table("prescribinfo", "ampp", "DRUG_PRODUCT_PRESCRIB_INFO", "PRESCRIB_INFO", "", "APPID:i SCHED_2:b ACBS:b PADM:b FP10_MDA:b "+
			"SCHED_1:b HOSP:b NURSE_F:b ENURSE_F:b DENT_F:b"),
		table("priceinfo", "ampp", "MEDICINAL_PRODUCT_PRICE", "PRICE_INFO", "", "APPID:i PRICE:i PRICEDT:d PRICE_PREV:i PRICE_BASISCD:i"),
		table("reimbinfo", "ampp", "REIMBURSEMENT_INFO", "REIMB_INFO", "", "APPID:i PX_CHRGS:i DISP_FEES:i BB:b LTD_STAB:b CAL_PACK:b "+
			"SPEC_CONTCD:i DND:i FP34D:b"),
	}
	g := table("gtin", "gtin", "AMPPS", "AMPP", "", "AMPPID:i GTIN:i STARTDT:d ENDDT:d")
	g.Nested = "GTINDATA"
	ts = append(ts, g)
	for section, name := range lookupTables {
		ts = append(ts, table(name, "lookup", section, "INFO", "", "CD:i CDDT:d CDPREV:i INVALID:b DESC:s"))
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	return ts
}()

// TableNamed returns the table with OpenPrescribing's name.
func TableNamed(name string) (Table, bool) {
	for _, t := range Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// FileKinds are the release file kinds, in the order they are read.
var FileKinds = []string{"lookup", "ingredient", "vtm", "vmp", "amp", "vmpp", "ampp", "gtin"}

// TableFor returns the table whose records are element (under section) in
// a file of kind, or false when that element is not a record.
func TableFor(kind, section, element string) (Table, bool) {
	for _, t := range Tables {
		if t.File == kind && t.Section == section && t.Element == element {
			return t, true
		}
	}
	return Table{}, false
}
