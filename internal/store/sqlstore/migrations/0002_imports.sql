-- Foundation: the record of import runs and every row they rejected.
-- Timestamps are TEXT, RFC 3339 UTC; notes are lines joined with a newline.

CREATE TABLE import_runs (
	id {{.AutoID}},
	kind TEXT NOT NULL,
	file TEXT NOT NULL,
	sha256 TEXT NOT NULL,
	bytes BIGINT NOT NULL DEFAULT 0,
	started TEXT NOT NULL DEFAULT '',
	finished TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL,
	read_rows INTEGER NOT NULL DEFAULT 0,
	accepted INTEGER NOT NULL DEFAULT 0,
	rejected INTEGER NOT NULL DEFAULT 0,
	changed INTEGER NOT NULL DEFAULT 0,
	notes TEXT NOT NULL DEFAULT '',
	actor TEXT NOT NULL DEFAULT ''
);
-- A file that imported cleanly is imported once per kind: a second,
-- concurrent import of the same file fails with a conflict instead of
-- doubling up. A file whose earlier run rejected rows may be imported again
-- (the rows may pass now that what they needed has been imported).
CREATE UNIQUE INDEX import_runs_kind_sha256 ON import_runs (kind, sha256) WHERE status = 'imported' AND rejected = 0;

-- seq keeps the order rows were rejected in; column_no is the 1-based
-- column (0: the whole line).
CREATE TABLE import_rejections (
	run_id BIGINT NOT NULL REFERENCES import_runs (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	line INTEGER NOT NULL,
	column_no INTEGER NOT NULL DEFAULT 0,
	field TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	record TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (run_id, seq)
);
