package access

import (
	"errors"
	"fmt"

	"ccg/internal/errs"
)

var (
	errUnauth    = errs.ErrUnauthenticated
	errForbidden = errs.ErrForbidden
	errInvalid   = errs.ErrInvalid

	// ErrBadCredentials is returned for any failed password sign-in, whether
	// the account exists or not (no account enumeration). It wraps
	// errs.ErrUnauthenticated.
	ErrBadCredentials = fmt.Errorf("the email address or password is not right: %w", errs.ErrUnauthenticated)
	// ErrThrottled is returned when too many sign-ins have failed recently
	// for the account or the address. It wraps errs.ErrForbidden; the web
	// adapter answers 429.
	ErrThrottled = fmt.Errorf("too many failed sign-ins; wait a few minutes and try again: %w", errs.ErrForbidden)
	// ErrWeakPassword is wrapped by every password-policy failure; it wraps
	// errs.ErrInvalid.
	ErrWeakPassword = fmt.Errorf("password not accepted: %w", errs.ErrInvalid)
	// ErrSessionExpired is returned for a session past its idle or absolute
	// timeout; it wraps errs.ErrUnauthenticated.
	ErrSessionExpired = fmt.Errorf("session expired: %w", errs.ErrUnauthenticated)
)

// IsThrottled reports whether err says sign-in is throttled.
func IsThrottled(err error) bool { return errors.Is(err, ErrThrottled) }
