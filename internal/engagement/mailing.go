package engagement

import (
	"context"
	"fmt"

	"ccg/internal/calendar"
	"ccg/internal/errs"
)

// InviteeSource lists the people to invite to a wave: everybody working at
// a member practice on the given day, each with their class.
type InviteeSource interface {
	Invitees(ctx context.Context, on calendar.Date) ([]Invitee, error)
}

// InvitationMailer sends each invitee their one-time link. It is called
// inside the transaction that stores the invitations, so that the links
// are queued for sending if and only if the invitations are kept; it must
// not show or keep the tokens anywhere else.
type InvitationMailer interface {
	MailInvitations(ctx context.Context, sv Survey, w Wave, issued []IssuedToken) error
}

// OpenWave adds a wave to a survey and invites everybody src lists, each
// by an e-mail that m queues: all in one transaction. The tokens go only
// into those e-mails: the caller (an officer's page) learns how many were
// invited and nothing else.
func (s *Service) OpenWave(ctx context.Context, by PersonID, w Wave, src InviteeSource, m InvitationMailer) (Wave, error) {
	const op = "engagement: open wave"
	if src == nil || m == nil {
		return Wave{}, fmt.Errorf("%s: e-mail is not set up, so invitations cannot be sent: %w", op, errs.ErrInvalid)
	}
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		invitees, err := src.Invitees(ctx, w.Opens)
		if err != nil {
			return err
		}
		if len(invitees) == 0 {
			return fmt.Errorf("nobody works at a member practice, so there is nobody to invite: %w", errs.ErrInvalid)
		}
		if w, err = s.AddWave(ctx, by, w); err != nil {
			return err
		}
		issued, err := s.Invite(ctx, by, w.ID, invitees)
		if err != nil {
			return err
		}
		if w, err = s.store.Wave(ctx, w.ID); err != nil {
			return err
		}
		sv, err := s.store.Survey(ctx, w.Survey)
		if err != nil {
			return err
		}
		return m.MailInvitations(ctx, sv, w, issued)
	})
	if err != nil {
		return Wave{}, fmt.Errorf("%s: %w", op, err)
	}
	return w, nil
}
