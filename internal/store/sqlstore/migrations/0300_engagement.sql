-- Engagement: surveys run in anonymous waves, consultations of members on
-- proposed decisions, and members' questions and concerns.
--
-- Anonymity by design (see internal/engagement's package documentation):
-- eng_invitations holds an unused token's SHA-256 and the coarsened class of
-- whoever holds it, never a person, a practice or a time; eng_used_tokens
-- holds only the hash of a spent token; eng_responses holds answers with the
-- coarsened class, keyed by a random value (no insertion order, no time
-- stamp, no token, no practice); eng_practice_tallies keeps only counts
-- against practices. No table shares a key with another.

CREATE TABLE eng_surveys (
	id {{.AutoID}},
	title TEXT NOT NULL,
	questionnaire TEXT NOT NULL,
	created TEXT NOT NULL DEFAULT '',
	created_by BIGINT NOT NULL DEFAULT 0
);

-- opens and closes are 'YYYY-MM-DD', half-open [opens, closes).
CREATE TABLE eng_waves (
	id {{.AutoID}},
	survey_id BIGINT NOT NULL REFERENCES eng_surveys (id) ON DELETE CASCADE,
	name TEXT NOT NULL,
	opens TEXT NOT NULL,
	closes TEXT NOT NULL,
	invited INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX eng_waves_survey ON eng_waves (survey_id, opens);

CREATE TABLE eng_invitations (
	token_hash TEXT PRIMARY KEY,
	wave_id BIGINT NOT NULL REFERENCES eng_waves (id) ON DELETE CASCADE,
	locality TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	leadership TEXT NOT NULL DEFAULT '',
	size TEXT NOT NULL DEFAULT ''
){{if eq .Dialect "sqlite"}} WITHOUT ROWID{{end}};

CREATE TABLE eng_used_tokens (
	token_hash TEXT PRIMARY KEY
){{if eq .Dialect "sqlite"}} WITHOUT ROWID{{end}};

-- sort_key is random: rows come back in no order that follows answering.
CREATE TABLE eng_responses (
	sort_key TEXT PRIMARY KEY,
	wave_id BIGINT NOT NULL REFERENCES eng_waves (id) ON DELETE CASCADE,
	locality TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	leadership TEXT NOT NULL DEFAULT '',
	size TEXT NOT NULL DEFAULT '',
	disposition TEXT NOT NULL,
	answers TEXT NOT NULL
){{if eq .Dialect "sqlite"}} WITHOUT ROWID{{end}};
CREATE INDEX eng_responses_wave ON eng_responses (wave_id);

CREATE TABLE eng_practice_tallies (
	wave_id BIGINT NOT NULL REFERENCES eng_waves (id) ON DELETE CASCADE,
	practice TEXT NOT NULL,
	locality TEXT NOT NULL DEFAULT '',
	invited INTEGER NOT NULL DEFAULT 0,
	complete INTEGER NOT NULL DEFAULT 0,
	partial INTEGER NOT NULL DEFAULT 0,
	break_off INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (wave_id, practice)
);

CREATE TABLE eng_class_tallies (
	wave_id BIGINT NOT NULL REFERENCES eng_waves (id) ON DELETE CASCADE,
	locality TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL DEFAULT '',
	leadership TEXT NOT NULL DEFAULT '',
	size TEXT NOT NULL DEFAULT '',
	invited INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (wave_id, locality, role, leadership, size)
);

-- options is a JSON array of {id, label}.
CREATE TABLE eng_consultations (
	id {{.AutoID}},
	decision_id BIGINT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	question TEXT NOT NULL DEFAULT '',
	proposal TEXT NOT NULL DEFAULT '',
	options TEXT NOT NULL DEFAULT '',
	opens TEXT NOT NULL,
	closes TEXT NOT NULL,
	opened_by BIGINT NOT NULL DEFAULT 0,
	you_said_we_did TEXT NOT NULL DEFAULT '',
	you_said_we_did_by BIGINT NOT NULL DEFAULT 0,
	you_said_we_did_on TEXT NOT NULL DEFAULT ''
);
CREATE INDEX eng_consultations_decision ON eng_consultations (decision_id);

-- Named, by design: a consultation response is not anonymous.
CREATE TABLE eng_consultation_responses (
	consultation_id BIGINT NOT NULL REFERENCES eng_consultations (id) ON DELETE CASCADE,
	person_id BIGINT NOT NULL,
	practice TEXT NOT NULL DEFAULT '',
	position TEXT NOT NULL,
	option_id TEXT NOT NULL DEFAULT '',
	comment TEXT NOT NULL DEFAULT '',
	created TEXT NOT NULL,
	updated TEXT NOT NULL,
	PRIMARY KEY (consultation_id, person_id)
);

CREATE TABLE eng_questions (
	id {{.AutoID}},
	kind TEXT NOT NULL,
	asker BIGINT NOT NULL,
	practice TEXT NOT NULL DEFAULT '',
	to_body TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	private INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL,
	assigned_to BIGINT NOT NULL DEFAULT 0,
	answer TEXT NOT NULL DEFAULT '',
	answered_by BIGINT NOT NULL DEFAULT 0,
	submitted TEXT NOT NULL,
	acknowledged TEXT NOT NULL DEFAULT '',
	assigned TEXT NOT NULL DEFAULT '',
	answered TEXT NOT NULL DEFAULT '',
	published TEXT NOT NULL DEFAULT ''
);
CREATE INDEX eng_questions_status ON eng_questions (status, submitted);
CREATE INDEX eng_questions_asker ON eng_questions (asker);
