package cli

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"text/tabwriter"

	"ccg/internal/access"
)

func runToken(ctx context.Context, e *env, args []string) error {
	usage := func() {
		fmt.Fprintln(e.stderr, `Usage:
  ccg token create --user EMAIL [--name TEXT]   prints a new personal API token, once
  ccg token list --user EMAIL
  ccg token revoke ID

Send a token as "Authorization: Bearer TOKEN". It carries exactly its owner's rights.
Every command takes --data DIR and --db URL.`)
	}
	sub, rest, err := subcommand(args, usage)
	if err != nil {
		return err
	}
	var (
		cfg         Config
		user, label string
	)
	fs := flag.NewFlagSet("token "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = usage
	cfg.bindStore(fs)
	want := 0
	switch sub {
	case "create":
		fs.StringVar(&user, "user", "", "email of the token's owner")
		fs.StringVar(&label, "name", "", "what the token is for")
	case "list":
		fs.StringVar(&user, "user", "", "email of the tokens' owner")
	case "revoke":
		want = 1
	default:
		usage()
		return fmt.Errorf("token: unknown subcommand %q", sub)
	}
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) != want || (sub != "revoke" && user == "") {
		usage()
		return fmt.Errorf("token %s: missing arguments", sub)
	}
	if err := cfg.Validate(false); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, applyMigrations)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := access.System
	switch sub {
	case "create":
		secret, t, err := a.access.CreateToken(ctx, actor, user, label)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, secret)
		fmt.Fprintf(e.stderr, "token %d for %s created; it is shown once and stored only as a hash\n", t.ID, user)
	case "list":
		ts, err := a.access.Tokens(ctx, actor, user)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSTARTS\tCREATED\tLAST USED\tSTATUS")
		for _, t := range ts {
			status, last := "active", "never"
			if !t.Active() {
				status = "revoked " + t.Revoked.Format("2006-01-02 15:04")
			}
			if !t.LastUsed.IsZero() {
				last = t.LastUsed.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Name, t.Hint, t.Created.Format("2006-01-02 15:04"), last, status)
		}
		return tw.Flush()
	case "revoke":
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return fmt.Errorf("token revoke: %q is not a token ID (see 'ccg token list')", pos[0])
		}
		if err := a.access.RevokeToken(ctx, actor, id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "token %d revoked\n", id)
	}
	return nil
}
