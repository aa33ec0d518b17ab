-- People and security: people with their roles and links, browser sessions,
-- personal API tokens and the hash-chained audit log.
-- Timestamps are TEXT, RFC 3339 UTC; flags are INTEGER 0/1.

CREATE TABLE people (
	id {{.AutoID}},
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	professional_role TEXT NOT NULL DEFAULT '',
	disabled INTEGER NOT NULL DEFAULT 0,
	created TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL DEFAULT '',
	oidc_subject TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX people_email ON people (email);
CREATE UNIQUE INDEX people_oidc_subject ON people (oidc_subject) WHERE oidc_subject <> '';

-- kind is 'role', 'practice', 'locality' or 'body'; code the role name or
-- the organisation's code.
CREATE TABLE person_links (
	person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	code TEXT NOT NULL,
	PRIMARY KEY (person_id, kind, code)
);
CREATE INDEX person_links_code ON person_links (kind, code);

-- hash is the SHA-256 of the session ID; the ID itself is never stored.
CREATE TABLE sessions (
	hash TEXT PRIMARY KEY,
	person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	created TEXT NOT NULL,
	last_seen TEXT NOT NULL,
	expires TEXT NOT NULL,
	csrf TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	method TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_person ON sessions (person_id);

-- hash is the SHA-256 of the token; the token itself is never stored.
CREATE TABLE api_tokens (
	id {{.AutoID}},
	person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
	name TEXT NOT NULL DEFAULT '',
	hint TEXT NOT NULL DEFAULT '',
	hash TEXT NOT NULL,
	created TEXT NOT NULL,
	last_used TEXT NOT NULL DEFAULT '',
	revoked TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (hash);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

-- Append-only: each row's hash covers the previous row's hash and this
-- row's fields (see access.AuditEntry); seq runs 1, 2, 3, ... without gaps.
CREATE TABLE audit_log (
	seq BIGINT PRIMARY KEY,
	at TEXT NOT NULL,
	actor TEXT NOT NULL DEFAULT '',
	event TEXT NOT NULL,
	subject TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	prev TEXT NOT NULL DEFAULT '',
	hash TEXT NOT NULL
);
