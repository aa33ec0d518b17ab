package cli

import (
	"context"
	"errors"
	"fmt"

	"ccg/internal/access"
	"ccg/internal/demo"
	"ccg/internal/errs"
)

// setupDemoAccounts gives each demo account its role and password (adding
// the person, or resetting them when the demo is run again on the same data)
// and prints the sign-ins.
func setupDemoAccounts(ctx context.Context, e *env, a *app, w *demo.World) error {
	if len(w.Accounts) == 0 {
		return nil
	}
	for _, acct := range w.Accounts {
		role, err := access.ParseRole(acct.Role)
		if err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
		np := access.NewPerson{Name: acct.Name, Email: acct.Email, Roles: []access.Role{role},
			Practices: acct.Practices, Localities: acct.Localities, Password: acct.Password}
		if acct.Professional != "" {
			if np.Professional, err = access.ParseProfessionalRole(acct.Professional); err != nil {
				return fmt.Errorf("demo accounts: %w", err)
			}
		}
		_, err = a.access.AddPerson(ctx, access.System, np)
		if errors.Is(err, errs.ErrConflict) {
			_, err = a.access.ResetPassword(ctx, access.System, acct.Email, acct.Password)
		}
		if err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
	}
	return nil
}
