package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"

	"ccg/internal/errs"
)

// SQLite extended result codes and PostgreSQL SQLSTATEs for the constraint
// violations mapErr translates.
const (
	sqliteConstraintCheck      = 275  // SQLITE_CONSTRAINT_CHECK
	sqliteConstraintForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
	sqliteConstraintNotNull    = 1299 // SQLITE_CONSTRAINT_NOTNULL
	sqliteConstraintPrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteConstraintUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE

	pgNotNullViolation    = "23502"
	pgForeignKeyViolation = "23503"
	pgUniqueViolation     = "23505"
	pgCheckViolation      = "23514"
)

// violation classifies a driver error: it returns errs.ErrConflict for a
// unique or foreign-key violation, errs.ErrInvalid for a check or not-null
// violation, and nil otherwise. It recognises both drivers without importing
// them: modernc.org/sqlite errors have Code() int, pgx errors SQLState() string.
func violation(err error) error {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		switch pg.SQLState() {
		case pgUniqueViolation, pgForeignKeyViolation:
			return errs.ErrConflict
		case pgCheckViolation, pgNotNullViolation:
			return errs.ErrInvalid
		}
		return nil
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey, sqliteConstraintForeignKey:
			return errs.ErrConflict
		case sqliteConstraintCheck, sqliteConstraintNotNull:
			return errs.ErrInvalid
		}
	}
	return nil
}

// isUniqueViolation reports whether err is a unique or primary-key
// violation on either engine.
func isUniqueViolation(err error) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		return pg.SQLState() == pgUniqueViolation
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		return lite.Code() == sqliteConstraintUnique || lite.Code() == sqliteConstraintPrimaryKey
	}
	return false
}

// mapErr translates a database error for callers who test with errors.Is:
// sql.ErrNoRows becomes errs.ErrNotFound; unique and foreign-key violations
// wrap errs.ErrConflict, and check and not-null violations errs.ErrInvalid,
// keeping the driver's message. Other errors (and nil) pass through.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errs.ErrNotFound
	}
	if v := violation(err); v != nil {
		return fmt.Errorf("%w: %w", v, err)
	}
	return err
}

// wrapErr is mapErr with an operation prefix, for the last line of a store
// method: return wrapErr("registry: organisation "+code, err). It returns nil
// for a nil err.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: %s: %w", op, mapErr(err))
}
