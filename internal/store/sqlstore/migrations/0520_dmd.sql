-- dm+d (NHS Dictionary of Medicines and Devices), the NHSBSA BNF-SNOMED
-- mapping and the reference tables OpenPrescribing's measures use.
--
-- A dm+d release is a complete snapshot: importing one replaces every
-- record. Each record is one element of a release file (a VMP, a VPI, a
-- lookup INFO ...), kept as its XML tags and texts (fields: JSON object of
-- tag -> text, in file order) under the OpenPrescribing table name it
-- belongs to; the analytics side turns them into typed tables.

CREATE TABLE dmd_release (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	name TEXT NOT NULL,
	files TEXT NOT NULL DEFAULT '',
	records BIGINT NOT NULL DEFAULT 0,
	imported TEXT NOT NULL DEFAULT ''
);

CREATE TABLE dmd_records (
	tbl TEXT NOT NULL,
	seq BIGINT NOT NULL,
	fields TEXT NOT NULL,
	PRIMARY KEY (tbl, seq)
);

-- One row per SNOMED code of the mapping spreadsheet (VMP, VMPP, AMP, AMPP).
CREATE TABLE dmd_bnf_map (
	snomed_code TEXT NOT NULL PRIMARY KEY,
	level TEXT NOT NULL,
	bnf_code TEXT NOT NULL DEFAULT '',
	bnf_name TEXT NOT NULL DEFAULT '',
	dmd_name TEXT NOT NULL DEFAULT ''
);

-- Reference tables for measure definitions (opioid_ing_form_ome, bdz_adq,
-- ...): the CSV file as imported; the name is the file name without .csv.
CREATE TABLE measure_reference_tables (
	name TEXT NOT NULL PRIMARY KEY,
	content TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	imported TEXT NOT NULL DEFAULT ''
);
