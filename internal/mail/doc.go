// Package mail is how ccg reaches people by e-mail: the messages it sends,
// the transactional outbox they wait in, the worker that delivers them, and
// people's subscriptions and preferences.
//
// # The outbox
//
// A change that should tell somebody (a vote opening, a survey wave opening,
// an answer published) queues its messages with Service.Queue inside the
// same transaction as the change itself (txn.Runner): either both are kept
// or neither is. A Worker, run inside `ccg serve`, claims due messages from
// the Store, hands them to a Sender (internal/smtp) and records the outcome.
// A failed attempt is retried with exponential back-off (Backoff) until
// Worker.MaxAttempts, after which the message is marked failed and shown to
// administrators, who may retry it.
//
// Claiming is exactly-once among live workers: the Store hands a due message
// to one worker only (on PostgreSQL with FOR UPDATE SKIP LOCKED and a
// conditional update, on SQLite through its single writer), together with a
// lease. Only the worker holding the lease may record the outcome. If a worker
// dies mid-send (kill -9), its lease runs out and another worker sends the
// message again: delivery is at least once across crashes, and the message's
// Message-ID (derived from its outbox number) lets mail servers and people
// recognise the repeat.
//
// # Secrets
//
// A message marked Secret (a survey invitation carries the person's
// one-time link) is never shown on any page: the outbox lists it without its
// body, and once delivered its body is wiped, so that the link exists only
// in the message the person received.
//
// # Unsubscribing
//
// Every message carries a one-click unsubscribe link (RFC 8058
// List-Unsubscribe and List-Unsubscribe-Post headers) and a link to the
// preferences page. Unsubscribing stops that kind of message to that address
// (or ends that subscription); Queue skips people who have opted out.
package mail
