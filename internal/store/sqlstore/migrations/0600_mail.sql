-- Mail: the transactional outbox, opt-outs, unsubscribe tokens and
-- monthly alert subscriptions (internal/mail).
--
-- mail_outbox rows are written in the same transaction as the change that
-- causes them. A worker claims a due row by setting status 'sending',
-- claimed_by and lease_until; only the holder of the lease may record the
-- outcome. The body of a secret message (a survey invitation) is wiped
-- once it has been sent, or once it expires unsent. Timestamps are TEXT (RFC 3339 UTC, fixed width).
CREATE TABLE mail_outbox (
	id {{.AutoID}},
	kind TEXT NOT NULL,
	dedup_key TEXT NOT NULL,
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL,
	body_html TEXT NOT NULL DEFAULT '',
	unsubscribe TEXT NOT NULL DEFAULT '',
	secret INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt TEXT NOT NULL,
	lease_until TEXT NOT NULL DEFAULT '',
	claimed_by TEXT NOT NULL DEFAULT '',
	last_error TEXT NOT NULL DEFAULT '',
	created TEXT NOT NULL,
	sent TEXT NOT NULL DEFAULT '',
	-- expires: a message not sent by then is never sent (and a secret one
	-- is wiped), for example a survey invitation once its wave has closed
	expires TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX mail_outbox_key ON mail_outbox (dedup_key);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt);
CREATE INDEX mail_outbox_recipient ON mail_outbox (recipient);

-- Kinds of message an address asked not to get.
CREATE TABLE mail_optouts (
	email TEXT NOT NULL,
	kind TEXT NOT NULL,
	since TEXT NOT NULL,
	PRIMARY KEY (email, kind)
);

-- Monthly alert subscriptions; confirmed is '' until the person follows
-- the link in the confirmation message (double opt-in).
CREATE TABLE mail_subscriptions (
	id {{.AutoID}},
	email TEXT NOT NULL,
	scope TEXT NOT NULL CHECK (scope IN ('practice', 'locality', 'ccg')),
	org TEXT NOT NULL,
	created TEXT NOT NULL,
	confirmed TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX mail_subscriptions_key ON mail_subscriptions (email, scope, org);

-- The tokens in unsubscribe, preferences and confirmation links: one per
-- address, kind of message and subscription (0 for none).
CREATE TABLE mail_tokens (
	token TEXT PRIMARY KEY,
	email TEXT NOT NULL,
	kind TEXT NOT NULL,
	subscription_id BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX mail_tokens_key ON mail_tokens (email, kind, subscription_id);
