-- Variation: the catalog of published analytics snapshots (see
-- docs/formats/analytics.md). analytics_state holds one row: the
-- generation, raised by every publish (readers poll it), and the layout
-- version of the analytics files. analytics_files names, for every dataset
-- part (a month), the one published Parquet file, relative to the analytics
-- folder. Files replaced by a publish are kept in analytics_retired until
-- garbage collection removes them (after a grace period, so that readers
-- still on the previous generation can finish). analytics_measures holds the
-- imported measure definitions (JSON).

CREATE TABLE analytics_state (
	id INTEGER PRIMARY KEY,
	generation BIGINT NOT NULL,
	layout INTEGER NOT NULL
);
INSERT INTO analytics_state (id, generation, layout) VALUES (1, 0, 1);

CREATE TABLE analytics_files (
	dataset TEXT NOT NULL,
	part TEXT NOT NULL,
	path TEXT NOT NULL,
	run TEXT NOT NULL,
	rows BIGINT NOT NULL,
	bytes BIGINT NOT NULL,
	generation BIGINT NOT NULL,
	PRIMARY KEY (dataset, part)
);

CREATE TABLE analytics_retired (
	path TEXT PRIMARY KEY,
	retired TEXT NOT NULL
);

CREATE TABLE analytics_measures (
	id TEXT PRIMARY KEY,
	definition TEXT NOT NULL,
	updated TEXT NOT NULL
);
