// Package errs holds the sentinel errors shared by every ccg package.
//
// Domain and store code wraps one of these with an operation prefix, for
// example fmt.Errorf("registry: organisation %q: %w", code, errs.ErrNotFound),
// and callers test for them with errors.Is. The web adapter maps them to HTTP
// status codes in exactly one place; the CLI maps them to exit messages.
package errs

import "errors"

var (
	// ErrNotFound reports that the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports that a change clashes with the current state
	// (a duplicate, a stale version, a closed vote).
	ErrConflict = errors.New("conflict")
	// ErrForbidden reports that the person acting may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid reports that the input breaks a rule; the wrapping message
	// says which rule.
	ErrInvalid = errors.New("invalid")
	// ErrUnauthenticated reports that an action needs a signed-in person and
	// there is none.
	ErrUnauthenticated = errors.New("sign-in required")
)
