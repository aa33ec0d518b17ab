package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"ccg/internal/access"
	"ccg/internal/calendar"
	"ccg/internal/errs"
	"ccg/internal/importing"
	"ccg/internal/registry"
)

var _ = func() bool {
	extraCommands = append(extraCommands,
		command{"user", "manage people: ccg user add|list|disable|enable|reset-password|import", runUser},
		command{"token", "personal API tokens: ccg token create|list|revoke", runToken},
		command{"audit", "the audit log: ccg audit verify|list", runAudit},
	)
	return true
}()

// registryLocalities tells access which locality a practice is in today.
type registryLocalities struct{ reg *registry.Service }

// LocalityOf implements access.Localities.
func (r registryLocalities) LocalityOf(ctx context.Context, practice string) (string, error) {
	o, err := r.reg.ParentOn(ctx, practice, registry.RelInLocality, calendar.Today())
	if errors.Is(err, errs.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return o.Code, nil
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// subcommand splits "ccg user add ..." into "add" and its arguments.
func subcommand(args []string, usage func()) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			usage()
			return "", nil, errHelp
		}
		usage()
		return "", nil, fmt.Errorf("want a subcommand")
	}
	return args[0], args[1:], nil
}

// readSecretLine reads one line (a password) from r.
func readSecretLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func runUser(ctx context.Context, e *env, args []string) error {
	usage := func() {
		fmt.Fprintln(e.stderr, `Usage:
  ccg user add --email EMAIL --name NAME [--role ROLE]... [--practice CODE]... [--locality CODE]...
               [--professional ROLE] [--password-stdin]
  ccg user list
  ccg user disable EMAIL      (ends all their sessions)
  ccg user enable EMAIL
  ccg user reset-password EMAIL [--password-stdin]
  ccg user import FILE        (bulk staff CSV: name,email,professional_role,practices,roles)

Every command takes --data DIR and --db URL. Without --password-stdin a random passphrase
is made and printed once. Roles: `+rolesList()+`.`)
	}
	sub, rest, err := subcommand(args, usage)
	if err != nil {
		return err
	}
	var (
		cfg                          Config
		np                           access.NewPerson
		roles, practices, localities listFlag
		professional                 string
		passwordStdin                bool
	)
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = usage
	cfg.bindStore(fs)
	switch sub {
	case "add":
		fs.StringVar(&np.Email, "email", "", "email address (unique)")
		fs.StringVar(&np.Name, "name", "", "full name")
		fs.Var(&roles, "role", "role (repeat or comma-separate)")
		fs.Var(&practices, "practice", "ODS code of a practice they work at (repeat)")
		fs.Var(&localities, "locality", "code of a locality they belong to (repeat)")
		fs.StringVar(&professional, "professional", "", "professional role, e.g. 'GP partner'")
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	case "reset-password":
		fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from standard input")
	case "list", "disable", "enable", "import":
	default:
		usage()
		return fmt.Errorf("user: unknown subcommand %q", sub)
	}
	pos, err := parseInterspersed(fs, rest)
	if err != nil {
		return err
	}
	if err := cfg.Validate(false); err != nil {
		return err
	}
	want := map[string]int{"add": 0, "list": 0, "disable": 1, "enable": 1, "reset-password": 1, "import": 1}[sub]
	if len(pos) != want {
		usage()
		return fmt.Errorf("user %s: want %d arguments, got %d", sub, want, len(pos))
	}
	a, err := openApp(ctx, cfg, applyMigrations)
	if err != nil {
		return err
	}
	defer a.Close()
	actor := access.System
	ctx = access.WithActor(ctx, actor)
	switch sub {
	case "add":
		for _, r := range roles {
			role, err := access.ParseRole(r)
			if err != nil {
				return fmt.Errorf("user add: %w (roles: %s)", err, rolesList())
			}
			np.Roles = append(np.Roles, role)
		}
		if professional != "" {
			if np.Professional, err = access.ParseProfessionalRole(professional); err != nil {
				return fmt.Errorf("user add: %w", err)
			}
		}
		np.Practices, np.Localities = practices, localities
		generated := false
		if passwordStdin {
			if np.Password, err = readSecretLine(os.Stdin); err != nil {
				return fmt.Errorf("user add: %w", err)
			}
		} else {
			if np.Password, err = access.NewPassphrase(); err != nil {
				return fmt.Errorf("user add: %w", err)
			}
			generated = true
		}
		p, err := a.access.AddPerson(ctx, actor, np)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s <%s> (id %d) with roles %s\n", p.Name, p.Email, p.ID, roleNames(p.Roles))
		if generated {
			fmt.Fprintf(e.stdout, "password: %s\n(shown once: pass it on safely)\n", np.Password)
		}
	case "list":
		people, err := a.access.People(ctx, actor)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "EMAIL\tNAME\tPROFESSIONAL ROLE\tROLES\tPRACTICES\tSTATUS")
		for _, p := range people {
			status := "active"
			if p.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.Email, p.Name, p.Professional.Label(), roleNames(p.Roles), strings.Join(p.Practices, " "), status)
		}
		return tw.Flush()
	case "disable", "enable":
		p, err := a.access.SetDisabled(ctx, actor, pos[0], sub == "disable")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s is now %sd\n", p.Email, sub)
	case "reset-password":
		pw := ""
		if passwordStdin {
			if pw, err = readSecretLine(os.Stdin); err != nil {
				return fmt.Errorf("user reset-password: %w", err)
			}
		}
		got, err := a.access.ResetPassword(ctx, actor, pos[0], pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "password of %s reset; their sessions have ended\n", strings.ToLower(pos[0]))
		if pw == "" {
			fmt.Fprintf(e.stdout, "password: %s\n(shown once: pass it on safely)\n", got)
		}
	case "import":
		return importOne(ctx, e, a, access.StaffKind, pos[0], importing.Options{Actor: actor.Email})
	}
	return nil
}

func rolesList() string {
	var out []string
	for _, r := range access.Roles {
		out = append(out, string(r))
	}
	return strings.Join(out, ", ")
}

func roleNames(rs []access.Role) string {
	if len(rs) == 0 {
		return "(none)"
	}
	var out []string
	for _, r := range rs {
		out = append(out, string(r))
	}
	return strings.Join(out, ",")
}
