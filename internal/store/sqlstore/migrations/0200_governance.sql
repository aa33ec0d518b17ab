-- Governance: the constitution's versions, decision records and their
-- history, meetings, online member votes (has-voted set, running totals and
-- named ballots kept apart), and the registers of interests, confirmations,
-- gifts and hospitality, procurement decisions and breaches.
-- Each record's full detail is kept as JSON text in doc; the columns beside
-- it are what the store filters, orders and enforces uniqueness on.
-- Dates are TEXT 'YYYY-MM-DD' ('' for none), timestamps TEXT RFC 3339 UTC.

CREATE TABLE gov_constitutions (
	version BIGINT PRIMARY KEY,
	adopted TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	doc TEXT NOT NULL
);

CREATE TABLE gov_decisions (
	id {{.AutoID}},
	status TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	decided TEXT NOT NULL DEFAULT '',
	doc TEXT NOT NULL
);
CREATE INDEX gov_decisions_status ON gov_decisions (status, decided);
CREATE INDEX gov_decisions_body ON gov_decisions (body, decided);

CREATE TABLE gov_decision_events (
	id {{.AutoID}},
	decision_id BIGINT NOT NULL REFERENCES gov_decisions (id) ON DELETE CASCADE,
	at TEXT NOT NULL,
	by_person BIGINT NOT NULL DEFAULT 0,
	from_status TEXT NOT NULL DEFAULT '',
	to_status TEXT NOT NULL DEFAULT '',
	refused INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX gov_decision_events_decision ON gov_decision_events (decision_id, id);

CREATE TABLE gov_meetings (
	id {{.AutoID}},
	body TEXT NOT NULL,
	held TEXT NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX gov_meetings_body ON gov_meetings (body, held);
CREATE INDEX gov_meetings_held ON gov_meetings (held);

CREATE TABLE gov_votes (
	id {{.AutoID}},
	body TEXT NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX gov_votes_body ON gov_votes (body, id);

-- The has-voted set: who voted, never what.
CREATE TABLE gov_vote_participation (
	vote_id BIGINT NOT NULL REFERENCES gov_votes (id) ON DELETE CASCADE,
	practice TEXT NOT NULL,
	cast_by BIGINT NOT NULL,
	proxy_holder TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (vote_id, practice)
);

-- The ballot box: running totals per option (choice -1 is abstain), updated
-- in place; no row per ballot, so totals cannot be joined to voters.
CREATE TABLE gov_vote_totals (
	vote_id BIGINT NOT NULL REFERENCES gov_votes (id) ON DELETE CASCADE,
	choice INTEGER NOT NULL,
	votes BIGINT NOT NULL DEFAULT 0,
	weight BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (vote_id, choice)
);

-- Named ballots, only for votes that are not anonymous.
CREATE TABLE gov_ballots (
	vote_id BIGINT NOT NULL REFERENCES gov_votes (id) ON DELETE CASCADE,
	practice TEXT NOT NULL,
	cast_by BIGINT NOT NULL,
	proxy_holder TEXT NOT NULL DEFAULT '',
	choice INTEGER NOT NULL,
	weight BIGINT NOT NULL,
	at TEXT NOT NULL,
	PRIMARY KEY (vote_id, practice)
);

CREATE TABLE gov_interests (
	id {{.AutoID}},
	person BIGINT NOT NULL,
	organisation TEXT NOT NULL DEFAULT '',
	doc TEXT NOT NULL
);
CREATE INDEX gov_interests_person ON gov_interests (person, id);
CREATE INDEX gov_interests_organisation ON gov_interests (organisation);

CREATE TABLE gov_confirmations (
	person BIGINT NOT NULL,
	confirmed TEXT NOT NULL,
	PRIMARY KEY (person, confirmed)
);

CREATE TABLE gov_gifts (
	id {{.AutoID}},
	offered TEXT NOT NULL,
	doc TEXT NOT NULL
);
CREATE INDEX gov_gifts_offered ON gov_gifts (offered, id);

CREATE TABLE gov_procurements (
	id {{.AutoID}},
	decided TEXT NOT NULL DEFAULT '',
	doc TEXT NOT NULL
);

CREATE TABLE gov_breaches (
	id {{.AutoID}},
	occurred TEXT NOT NULL DEFAULT '',
	doc TEXT NOT NULL
);
