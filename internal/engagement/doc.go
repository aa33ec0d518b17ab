// Package engagement is member voice: engagement surveys run in waves,
// consultations of members traced to the decisions they informed, and
// questions and concerns put to the governing body or a locality.
//
// The package is pure: it imports neither database drivers nor net/http.
// Rules are plain functions over values (Questionnaire.Validate, Coarsen,
// Classify, Analyse, CompareWaves, ResponseRates, Protect, Summarise,
// CheckPublish, Question.CheckMove, BuildDashboard) so that they can be
// tested as tables; Service applies them over the Store port and writes
// changes to an Auditor. People are PersonID, practices ODS codes and
// decisions DecisionID, so the package depends neither on the
// people-and-roles package nor on governance. Every statistic (Wilson,
// Newcombe, Welch, Cronbach's alpha, medians, the group-of-five rule) is
// computed by internal/stats.
//
// # Anonymity of survey responses
//
// Responses are anonymous to everyone, administrators and database
// operators included. The design:
//
//  1. Invitations are single-use tokens. Service.Invite makes one random
//     token per person (32 bytes from crypto/rand) and hands the tokens back
//     to the caller for sending; the tokens themselves are never stored.
//     The token reads "wave.practice.secret": the wave and the practice
//     travel in the link, so that the stored row need not carry the
//     practice, and the SHA-256 hash of the whole string is what is stored,
//     so neither can be altered.
//  2. A stored Invitation holds the token hash and the respondent's Class
//     (locality, role group, leadership, practice size band) as at the
//     wave, and nothing else: no person, no practice, no e-mail, no time.
//     Rows are shuffled before they are stored so that their insertion
//     order does not follow the order of the people invited (which a mail
//     log would show).
//  3. Classes are coarsened before they are stored (Coarsen): every stored
//     class is shared by at least Disclosure.MinGroup people invited, so a
//     stored response can never be narrowed to fewer than five people by
//     its class. Attributes are given up least-useful first: size band,
//     then locality, then role group; leadership (the leader-member gap is
//     the point of the survey) is given up last. A class that cannot reach
//     five invitees on its own absorbs the smallest already-safe class that
//     shares its coarser key, so leadership is kept whenever there are at
//     least five leaders and five other members. What was given up is
//     recorded as "not recorded" and shown as its own group.
//  4. On use the token is burned (the invitation row is deleted and only
//     the hash is remembered as used) and the answers are stored as a
//     Response carrying the class and the disposition (complete, partial,
//     break-off) only: no person, no practice, no token, no time stamp.
//     The per-practice tally of responses is incremented separately; it is
//     the only thing kept against a practice's name.
//  5. Answering a survey is not written to the audit log: the audit
//     adapter records who is signed in, which would undo all of the above.
//
// Residual risks, documented rather than hidden: an operator who copies the
// database after every single response could link the practice tally's
// increment to the response stored at the same moment; free-text answers
// may identify their writer by what they say (pages should show them only
// to the CCG's engagement lead, never in breakdowns); and results of an
// open wave move as responses arrive, so someone who knows when a colleague
// answered can difference two views. The web layer must not log token
// links and must not tie the answering page to a session.
//
// # The group-of-five rule and differencing
//
// No figure is shown for a group of fewer than five respondents: the rule
// (stats.Disclosure.AllowGroup) is applied to the wave as a whole, to every
// item and dimension (counting the people who answered it), and to every
// group of every breakdown (leadership, locality, role group, size band).
// Suppressing the small groups is not enough on its own: the overall figure
// minus the groups shown gives the groups hidden. Protect therefore adds
// secondary suppression: while the people hidden in a breakdown (primary
// suppressions plus anyone in no group shown) number from 1 to
// MinGroup − 1, the smallest group still shown is hidden too. For two
// groups this is the complement rule (a group is hidden when the rest of
// the wave is fewer than five); for more groups it also stops two shown
// groups being subtracted from the total. Breakdowns are one-way only (no
// cross-tabulations), which keeps differencing between breakdowns from
// isolating a cell. Suppressed groups carry a reason and no numbers, not
// even their size. Response rates are participation, not opinion, and are
// shown in full (the issue keeps counts per practice against names).
//
// # Scoring
//
// Likert items are 1 (strongly disagree) to 5 (strongly agree) with 3 the
// neutral point. Negatively worded items (Item.Reverse) are reverse coded,
// 6 − x, for scores. An item's mean is of the reverse-coded score, so
// higher is always more favourable; its proportion agreeing (4 or 5) is of
// the statement as worded, as the diverging bar shows it. A respondent's
// dimension score is the mean of their reverse-coded answers to its items,
// given only when at least 75% of the items were answered, rescaled to
// 0-100 as (mean − 1) × 25; a dimension's proportion positive is the share
// of respondents whose score is 75 or more (agree on average). Cronbach's
// alpha is given per dimension. Break-offs (under half the questions
// answered) count towards response rates as refusals and are left out of
// results.
package engagement
