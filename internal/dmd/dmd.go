// Package dmd holds the NHS Dictionary of Medicines and Devices (dm+d) as
// the NHSBSA publishes it, the NHSBSA BNF-SNOMED mapping that gives its
// products their BNF codes, and the small reference tables (oral morphine
// equivalences, ADQs) that OpenPrescribing's measure definitions read.
//
// A dm+d release is a set of XML files (f_vtm2, f_vmp2, f_vmpp2, f_amp2,
// f_ampp2, f_ingredient2, f_lookup2, f_gtin2). Each element of interest (a
// VMP, one of its ingredients, a lookup code ...) is a Record: its XML
// tags and texts, under the name of the table OpenPrescribing gives it
// ("vmp", "vpi", "ontformroute"). Tables describes every table: which
// element of which file it comes from, and its columns with
// OpenPrescribing's names and types, so that measure SQL written for
// OpenPrescribing finds the columns it names.
//
// The package knows no SQL engine: the Store port keeps releases, and the
// analytics side (internal/analytics/opcompat) builds typed tables from it.
package dmd

import (
	"context"
	"time"
)

// Field is one child element of a record: its XML tag and its text.
type Field struct {
	Tag   string `json:"t"`
	Value string `json:"v"`
}

// Record is one element of a release file, under its table's name.
type Record struct {
	Table  string
	Seq    int64 // order within the table, from 1
	Fields []Field
}

// Get returns the text of tag, or "".
func (r Record) Get(tag string) string {
	for _, f := range r.Fields {
		if f.Tag == tag {
			return f.Value
		}
	}
	return ""
}

// Release describes the imported release.
type Release struct {
	// Name is the release's name, from its file names ("3010419").
	Name string
	// Files are the release files read.
	Files []string
	// Records is the number of records stored.
	Records int64
	// Imported is when it was imported.
	Imported time.Time
}

// Mapping is one row of the NHSBSA BNF-SNOMED mapping: a dm+d object (VMP,
// VMPP, AMP or AMPP, by SNOMED code) and its BNF code, when it has one.
type Mapping struct {
	SNOMED  string // the dm+d identifier (VPID, VPPID, APID or APPID)
	Level   string // "VMP", "VMPP", "AMP" or "AMPP"
	BNFCode string // "" when the product has none
	BNFName string // the BNF (MDR) description
	DMDName string // the dm+d description
}

// ReferenceTable is a small CSV table that measure definitions join to,
// kept as imported. Its name is the file name without ".csv".
type ReferenceTable struct {
	Name     string
	Content  string
	SHA256   string
	Imported time.Time
}

// Store keeps the dm+d release, the mapping and the reference tables.
// Writes happen inside the caller's transaction (see txn.Runner).
type Store interface {
	// ClearDMD deletes the stored release and all its records, and returns
	// how many records were deleted.
	ClearDMD(ctx context.Context) (int64, error)
	// SetDMDRelease records rel as the current release.
	SetDMDRelease(ctx context.Context, rel Release) error
	// AddDMDRecords stores records of the current release.
	AddDMDRecords(ctx context.Context, recs []Record) error
	// DMDRelease returns the current release; errs.ErrNotFound when none.
	DMDRelease(ctx context.Context) (Release, error)
	// EachDMDRecord calls fn with every stored record, by table then Seq.
	EachDMDRecord(ctx context.Context, fn func(Record) error) error
	// ReplaceBNFMapping replaces the mapping and returns how many rows
	// were added, altered or removed.
	ReplaceBNFMapping(ctx context.Context, rows []Mapping) (int, error)
	// BNFMapping returns the mapping, by SNOMED code.
	BNFMapping(ctx context.Context) ([]Mapping, error)
	// PutReferenceTable inserts or replaces a reference table and reports
	// whether anything changed.
	PutReferenceTable(ctx context.Context, t ReferenceTable) (bool, error)
	// ReferenceTables returns every reference table, by name.
	ReferenceTables(ctx context.Context) ([]ReferenceTable, error)
}
