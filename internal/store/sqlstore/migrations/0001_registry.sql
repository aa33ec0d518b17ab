-- Foundation: the registry of organisations, their dated relationships,
-- successions and practice list sizes. Dates are TEXT 'YYYY-MM-DD' with ''
-- for none, months TEXT 'YYYY-MM'.

CREATE TABLE organisations (
	code TEXT {{.ByteOrder}} NOT NULL PRIMARY KEY,
	name TEXT {{.ByteOrder}} NOT NULL,
	kind TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	postcode TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	opened TEXT NOT NULL DEFAULT '',
	closed TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT '',
	setting TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX organisations_name ON organisations (name, code);
CREATE INDEX organisations_kind_name ON organisations (kind, name, code);

-- Child belonged to parent from from_date to to_date (half-open).
CREATE TABLE relationships (
	child TEXT NOT NULL,
	kind TEXT NOT NULL,
	parent TEXT NOT NULL,
	from_date TEXT NOT NULL DEFAULT '',
	to_date TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (child, kind, parent, from_date)
);
CREATE INDEX relationships_parent ON relationships (parent, kind, from_date);

CREATE TABLE successions (
	predecessor TEXT NOT NULL,
	successor TEXT NOT NULL,
	effective TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	indicator TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (predecessor, successor, effective)
);
CREATE INDEX successions_successor ON successions (successor);

-- band_lo is the band's lower age (-1 for "all"), kept so bands sort as ages.
CREATE TABLE list_sizes (
	practice TEXT NOT NULL,
	month TEXT NOT NULL,
	sex TEXT NOT NULL,
	age_band TEXT NOT NULL,
	band_lo INTEGER NOT NULL,
	patients INTEGER NOT NULL,
	PRIMARY KEY (practice, month, sex, age_band)
);
CREATE INDEX list_sizes_month ON list_sizes (month);
