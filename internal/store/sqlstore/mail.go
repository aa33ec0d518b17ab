package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"ccg/internal/errs"
	"ccg/internal/mail"
)

var _ mail.Store = (*Store)(nil)

const mailColumns = `id, kind, dedup_key, recipient, subject, body_text, body_html, unsubscribe, secret, status, attempts,
	next_attempt, lease_until, claimed_by, last_error, created, sent, expires`

func scanMail(sc interface{ Scan(...any) error }) (mail.Message, error) {
	var m mail.Message
	var secret int
	err := sc.Scan(&m.ID, &m.Kind, &m.Key, &m.To, &m.Subject, &m.Text, &m.HTML, &m.Unsubscribe, &secret, &m.Status, &m.Attempts,
		scanTime(&m.NextAttempt), scanTime(&m.LeaseUntil), &m.ClaimedBy, &m.LastError, scanTime(&m.Created), scanTime(&m.Sent), scanTime(&m.Expires))
	m.Secret = secret != 0
	return m, err
}

// QueueMail implements mail.Store.
func (s *Store) QueueMail(ctx context.Context, m mail.Message) (int64, bool, error) {
	var id int64
	err := s.queryRowWrite(ctx, `INSERT INTO mail_outbox (kind, dedup_key, recipient, subject, body_text, body_html, unsubscribe, secret,
		status, attempts, next_attempt, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)
		ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
		string(m.Kind), m.Key, m.To, m.Subject, m.Text, m.HTML, m.Unsubscribe, boolInt(m.Secret), timeArg(m.NextAttempt), timeArg(m.Created),
		timeArg(m.Expires)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil // the key was queued before
	}
	if err != nil {
		return 0, false, wrapErr("queue mail", err)
	}
	return id, true, nil
}

// mailDue is the condition of a message a worker may claim.
const mailDue = `(((status = 'pending' AND next_attempt <= ?) OR (status = 'sending' AND lease_until < ?)) AND (expires = '' OR expires > ?))`

// ClaimMail implements mail.Store. One statement picks and marks the due
// rows, so that no two workers get the same one: on PostgreSQL the inner
// SELECT locks the rows it picks and skips rows another worker has locked
// (and the outer condition is checked again on the locked row); SQLite has
// one writer at a time.
func (s *Store) ClaimMail(ctx context.Context, worker string, now, leaseUntil time.Time, limit int) ([]mail.Message, error) {
	if limit <= 0 {
		limit = 20
	}
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	n := timeArg(now)
	var out []mail.Message
	// In a transaction so that the statement runs on the write pool.
	err := s.InTx(ctx, func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.query(ctx, `UPDATE mail_outbox SET status = 'sending', claimed_by = ?, lease_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM mail_outbox WHERE `+mailDue+` ORDER BY id LIMIT ?`+lock+`) AND `+mailDue+`
			RETURNING `+mailColumns,
			worker, timeArg(leaseUntil), n, n, n, limit, n, n, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrapErr("claim mail", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// held reports errs.ErrConflict when an update for a claimed message
// changed nothing: the worker no longer holds it.
func held(op string, id int64, n int64) error {
	if n == 0 {
		return fmt.Errorf("sqlstore: %s %d: the message is no longer held by this worker: %w", op, id, errs.ErrConflict)
	}
	return nil
}

// MailSent implements mail.Store.
func (s *Store) MailSent(ctx context.Context, id int64, worker string, at time.Time, wipe string) error {
	q := `UPDATE mail_outbox SET status = 'sent', sent = ?, lease_until = '', last_error = '' WHERE id = ? AND status = 'sending' AND claimed_by = ?`
	args := []any{timeArg(at), id, worker}
	if wipe != "" {
		q = `UPDATE mail_outbox SET status = 'sent', sent = ?, lease_until = '', last_error = '', body_text = ?, body_html = ''
			WHERE id = ? AND status = 'sending' AND claimed_by = ?`
		args = []any{timeArg(at), wipe, id, worker}
	}
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return wrapErr("mail sent", err)
	}
	n, _ := res.RowsAffected()
	return held("mail sent", id, n)
}

// MailFailed implements mail.Store.
func (s *Store) MailFailed(ctx context.Context, id int64, worker, reason string, next time.Time, giveUp bool) error {
	status := mail.StatusPending
	if giveUp {
		status = mail.StatusFailed
	}
	if len(reason) > 2000 {
		reason = reason[:2000]
	}
	res, err := s.exec(ctx, `UPDATE mail_outbox SET status = ?, next_attempt = ?, lease_until = '', last_error = ?
		WHERE id = ? AND status = 'sending' AND claimed_by = ?`, string(status), timeArg(next), cleanText(reason), id, worker)
	if err != nil {
		return wrapErr("mail failed", err)
	}
	n, _ := res.RowsAffected()
	return held("mail failed", id, n)
}

// ExpireKeys implements mail.Store.
func (s *Store) ExpireKeys(ctx context.Context, prefix string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE mail_outbox SET expires = ?
		WHERE substr(dedup_key, 1, ?) = ? AND status <> 'sent' AND (expires = '' OR expires > ?)`,
		timeArg(at), len(prefix), prefix, timeArg(at))
	return wrapErr("expire mail keys", err)
}

// ExpireMail implements mail.Store.
func (s *Store) ExpireMail(ctx context.Context, now time.Time, wipe string) (int, error) {
	n := timeArg(now)
	res, err := s.exec(ctx, `UPDATE mail_outbox SET status = 'failed', lease_until = '',
			last_error = 'expired unsent (for example, the survey wave closed)',
			body_text = CASE WHEN secret <> 0 THEN ? ELSE body_text END,
			body_html = CASE WHEN secret <> 0 THEN '' ELSE body_html END
		WHERE expires <> '' AND expires <= ?
			AND (status = 'pending' OR (status = 'sending' AND lease_until < ?) OR (status = 'failed' AND secret <> 0 AND body_text <> ?))`,
		wipe, n, n, wipe)
	if err != nil {
		return 0, wrapErr("expire mail", err)
	}
	c, _ := res.RowsAffected()
	return int(c), nil
}

// RetryMail implements mail.Store.
func (s *Store) RetryMail(ctx context.Context, id int64, now time.Time) error {
	res, err := s.exec(ctx, `UPDATE mail_outbox SET status = 'pending', next_attempt = ?, attempts = 0
		WHERE id = ? AND status = 'failed' AND (expires = '' OR expires > ?)`, timeArg(now), id, timeArg(now))
	if err != nil {
		return wrapErr("retry mail", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.MailMessage(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("sqlstore: retry mail %d: only a failed message that has not expired can be sent again: %w", id, errs.ErrConflict)
	}
	return nil
}

// MailMessage implements mail.Store.
func (s *Store) MailMessage(ctx context.Context, id int64) (mail.Message, error) {
	m, err := scanMail(s.queryRow(ctx, `SELECT `+mailColumns+` FROM mail_outbox WHERE id = ?`, id))
	if err != nil {
		return mail.Message{}, wrapErr(fmt.Sprintf("mail message %d", id), err)
	}
	return m, nil
}

// MailMessages implements mail.Store.
func (s *Store) MailMessages(ctx context.Context, f mail.Filter) ([]mail.Message, error) {
	q := `SELECT ` + mailColumns + ` FROM mail_outbox WHERE 1 = 1`
	var args []any
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.To != "" {
		q += ` AND recipient = ?`
		args = append(args, strings.ToLower(f.To))
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr("mail messages", err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, wrapErr("mail messages", err)
		}
		out = append(out, m)
	}
	return out, wrapErr("mail messages", rows.Err())
}

// MailCounts implements mail.Store.
func (s *Store) MailCounts(ctx context.Context) (map[mail.Status]int, error) {
	rows, err := s.query(ctx, `SELECT status, COUNT(*) FROM mail_outbox GROUP BY status`)
	if err != nil {
		return nil, wrapErr("mail counts", err)
	}
	defer rows.Close()
	out := map[mail.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, wrapErr("mail counts", err)
		}
		out[mail.Status(st)] = n
	}
	return out, wrapErr("mail counts", rows.Err())
}

// ---- preferences ----

// MailToken implements mail.PreferenceStore.
func (s *Store) MailToken(ctx context.Context, t mail.Token, fresh string) (string, error) {
	if _, err := s.exec(ctx, `INSERT INTO mail_tokens (token, email, kind, subscription_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (email, kind, subscription_id) DO NOTHING`, fresh, t.Email, string(t.Kind), t.Subscription); err != nil {
		return "", wrapErr("mail token", err)
	}
	var tok string
	err := s.queryRowWrite(ctx, `SELECT token FROM mail_tokens WHERE email = ? AND kind = ? AND subscription_id = ?`,
		t.Email, string(t.Kind), t.Subscription).Scan(&tok)
	return tok, wrapErr("mail token", err)
}

// MailTokenByValue implements mail.PreferenceStore.
func (s *Store) MailTokenByValue(ctx context.Context, token string) (mail.Token, error) {
	t := mail.Token{Value: token}
	err := s.queryRow(ctx, `SELECT email, kind, subscription_id FROM mail_tokens WHERE token = ?`, token).Scan(&t.Email, &t.Kind, &t.Subscription)
	if err != nil {
		return mail.Token{}, wrapErr("mail token", err)
	}
	return t, nil
}

// OptOut implements mail.PreferenceStore.
func (s *Store) OptOut(ctx context.Context, email string, kind mail.Kind, at time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO mail_optouts (email, kind, since) VALUES (?, ?, ?) ON CONFLICT (email, kind) DO NOTHING`,
		email, string(kind), timeArg(at))
	return wrapErr("opt out", err)
}

// OptIn implements mail.PreferenceStore.
func (s *Store) OptIn(ctx context.Context, email string, kind mail.Kind) error {
	_, err := s.exec(ctx, `DELETE FROM mail_optouts WHERE email = ? AND kind = ?`, email, string(kind))
	return wrapErr("opt in", err)
}

// OptedOut implements mail.PreferenceStore.
func (s *Store) OptedOut(ctx context.Context, email string, kind mail.Kind) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM mail_optouts WHERE email = ? AND kind = ?`, email, string(kind)).Scan(&n)
	return n > 0, wrapErr("opted out", err)
}

// OptOuts implements mail.PreferenceStore.
func (s *Store) OptOuts(ctx context.Context, email string) ([]mail.Kind, error) {
	rows, err := s.query(ctx, `SELECT kind FROM mail_optouts WHERE email = ? ORDER BY kind`, email)
	if err != nil {
		return nil, wrapErr("opt-outs", err)
	}
	defer rows.Close()
	var out []mail.Kind
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, wrapErr("opt-outs", err)
		}
		out = append(out, mail.Kind(k))
	}
	return out, wrapErr("opt-outs", rows.Err())
}

const subscriptionColumns = `id, email, scope, org, created, confirmed`

func scanSubscription(sc interface{ Scan(...any) error }) (mail.Subscription, error) {
	var sub mail.Subscription
	err := sc.Scan(&sub.ID, &sub.Email, &sub.Scope, &sub.Org, scanTime(&sub.Created), scanTime(&sub.Confirmed))
	return sub, err
}

// PutSubscription implements mail.PreferenceStore.
func (s *Store) PutSubscription(ctx context.Context, sub mail.Subscription) (mail.Subscription, bool, error) {
	res, err := s.exec(ctx, `INSERT INTO mail_subscriptions (email, scope, org, created) VALUES (?, ?, ?, ?)
		ON CONFLICT (email, scope, org) DO NOTHING`, sub.Email, string(sub.Scope), sub.Org, timeArg(sub.Created))
	if err != nil {
		return mail.Subscription{}, false, wrapErr("put subscription", err)
	}
	n, _ := res.RowsAffected()
	got, err := scanSubscription(s.queryRowWrite(ctx, `SELECT `+subscriptionColumns+` FROM mail_subscriptions WHERE email = ? AND scope = ? AND org = ?`,
		sub.Email, string(sub.Scope), sub.Org))
	if err != nil {
		return mail.Subscription{}, false, wrapErr("put subscription", err)
	}
	return got, n == 0, nil
}

// ConfirmSubscription implements mail.PreferenceStore.
func (s *Store) ConfirmSubscription(ctx context.Context, id int64, at time.Time) error {
	res, err := s.exec(ctx, `UPDATE mail_subscriptions SET confirmed = ? WHERE id = ?`, timeArg(at), id)
	if err != nil {
		return wrapErr("confirm subscription", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlstore: confirm subscription %d: %w", id, errs.ErrNotFound)
	}
	return nil
}

// DeleteSubscription implements mail.PreferenceStore.
func (s *Store) DeleteSubscription(ctx context.Context, id int64) error {
	_, err := s.exec(ctx, `DELETE FROM mail_subscriptions WHERE id = ?`, id)
	return wrapErr("delete subscription", err)
}

// Subscription implements mail.PreferenceStore.
func (s *Store) Subscription(ctx context.Context, id int64) (mail.Subscription, error) {
	sub, err := scanSubscription(s.queryRow(ctx, `SELECT `+subscriptionColumns+` FROM mail_subscriptions WHERE id = ?`, id))
	if err != nil {
		return mail.Subscription{}, wrapErr(fmt.Sprintf("subscription %d", id), err)
	}
	return sub, nil
}

// Subscriptions implements mail.PreferenceStore.
func (s *Store) Subscriptions(ctx context.Context, email string) ([]mail.Subscription, error) {
	q := `SELECT ` + subscriptionColumns + ` FROM mail_subscriptions WHERE confirmed <> '' ORDER BY id`
	args := []any{}
	if email != "" {
		q = `SELECT ` + subscriptionColumns + ` FROM mail_subscriptions WHERE email = ? ORDER BY id`
		args = append(args, email)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr("subscriptions", err)
	}
	defer rows.Close()
	var out []mail.Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, wrapErr("subscriptions", err)
		}
		out = append(out, sub)
	}
	return out, wrapErr("subscriptions", rows.Err())
}
