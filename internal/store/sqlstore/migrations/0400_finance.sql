-- Finance: general-ledger actuals, monthly budget lines, fair-share
-- allocations with their lines and inputs, and transfer agreements with
-- their receipts. Money is BIGINT pence; months TEXT 'YYYY-MM'; dates TEXT
-- 'YYYY-MM-DD'; timestamps TEXT RFC 3339 UTC. Codes sort by bytes.

-- One figure per organisation, period, cost centre, programme and
-- locality ('' org: the commissioner running ccg; '' locality: none).
CREATE TABLE finance_actuals (
	org TEXT {{.ByteOrder}} NOT NULL DEFAULT '',
	period TEXT NOT NULL,
	cost_centre TEXT {{.ByteOrder}} NOT NULL,
	programme TEXT {{.ByteOrder}} NOT NULL,
	locality TEXT {{.ByteOrder}} NOT NULL DEFAULT '',
	amount BIGINT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (org, period, cost_centre, programme, locality)
);
CREATE INDEX finance_actuals_period ON finance_actuals (period);

-- One month of one programme's budget ('' locality: commissioner-wide).
CREATE TABLE finance_budget_lines (
	org TEXT {{.ByteOrder}} NOT NULL,
	locality TEXT {{.ByteOrder}} NOT NULL DEFAULT '',
	programme TEXT {{.ByteOrder}} NOT NULL,
	month TEXT NOT NULL,
	amount BIGINT NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (org, locality, programme, month)
);
CREATE INDEX finance_budget_lines_month ON finance_budget_lines (org, month);

-- A saved allocation is never altered. pace and inputs are JSON
-- (finance.PacePolicy, finance.Inputs), kept whole so that a disputed
-- figure can be traced to exactly what it was built from.
CREATE TABLE finance_allocations (
	id {{.AutoID}},
	org TEXT NOT NULL,
	year INTEGER NOT NULL,
	programme TEXT NOT NULL,
	total BIGINT NOT NULL,
	pace TEXT NOT NULL DEFAULT '{}',
	inputs TEXT NOT NULL DEFAULT '{}',
	created TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX finance_allocations_org_year ON finance_allocations (org, year);

-- seq keeps the lines in the order they were built; warnings are lines
-- joined with a newline.
CREATE TABLE finance_allocation_lines (
	allocation_id BIGINT NOT NULL REFERENCES finance_allocations (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	practice TEXT NOT NULL,
	locality TEXT NOT NULL DEFAULT '',
	patients INTEGER NOT NULL DEFAULT 0,
	weighted {{.Float}} NOT NULL DEFAULT 0,
	need {{.Float}} NOT NULL DEFAULT 1,
	adjusted {{.Float}} NOT NULL DEFAULT 0,
	target BIGINT NOT NULL,
	current_budget BIGINT NOT NULL DEFAULT 0,
	distance BIGINT NOT NULL DEFAULT 0,
	distance_pct {{.Float}} NOT NULL DEFAULT 0,
	budget BIGINT NOT NULL,
	change BIGINT NOT NULL DEFAULT 0,
	warnings TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (allocation_id, seq)
);

-- Money one organisation has agreed to pay another by a date.
CREATE TABLE finance_agreements (
	id {{.AutoID}},
	from_org TEXT NOT NULL,
	to_org TEXT NOT NULL,
	description TEXT NOT NULL,
	amount BIGINT NOT NULL CHECK (amount > 0),
	agreed TEXT NOT NULL DEFAULT '',
	due TEXT NOT NULL,
	reference TEXT NOT NULL DEFAULT ''
);
CREATE INDEX finance_agreements_from ON finance_agreements (from_org);
CREATE INDEX finance_agreements_to ON finance_agreements (to_org);

CREATE TABLE finance_receipts (
	id {{.AutoID}},
	agreement_id BIGINT NOT NULL REFERENCES finance_agreements (id) ON DELETE CASCADE,
	received TEXT NOT NULL,
	amount BIGINT NOT NULL,
	reference TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX finance_receipts_agreement ON finance_receipts (agreement_id, received);
