package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"ccg/internal/access"
)

func runAudit(ctx context.Context, e *env, args []string) error {
	usage := func() {
		fmt.Fprintln(e.stderr, `Usage:
  ccg audit verify [--against SEQ:HASH] check the keyed hash chain; names the first broken entry;
                                       with a checkpoint, also proves nothing up to it was removed or changed
  ccg audit checkpoint                 verify, then print the head as SEQ:HASH: record it somewhere the
                                       database's keepers cannot change (a ticket, an e-mail, paper)
  ccg audit list [--after N] [--limit N]

Every command takes --data DIR, --db URL and --audit-key KEY (default: the key file audit.key in the data folder).`)
	}
	sub, rest, err := subcommand(args, usage)
	if err != nil {
		return err
	}
	var (
		cfg          Config
		after, limit int64
		against      string
	)
	fs := flag.NewFlagSet("audit "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = usage
	cfg.bindStore(fs)
	switch sub {
	case "verify":
		fs.StringVar(&against, "against", "", "a checkpoint SEQ:HASH printed earlier by `ccg audit checkpoint`")
	case "checkpoint":
	case "list":
		fs.Int64Var(&after, "after", 0, "show entries after this number")
		fs.Int64Var(&limit, "limit", 100, "show at most this many entries")
	default:
		usage()
		return fmt.Errorf("audit: unknown subcommand %q", sub)
	}
	if pos, err := parseInterspersed(fs, rest); err != nil {
		return err
	} else if len(pos) != 0 {
		usage()
		return fmt.Errorf("audit %s: unexpected arguments %q", sub, pos)
	}
	if err := cfg.Validate(false); err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, requireMigrated)
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "verify":
		var cp *access.Checkpoint
		if against != "" {
			c, err := access.ParseCheckpoint(against)
			if err != nil {
				return fmt.Errorf("audit verify: %w", err)
			}
			cp = &c
		}
		res, err := a.access.VerifyAudit(ctx, access.System, cp)
		if err != nil {
			return err
		}
		if !res.OK() {
			fmt.Fprintf(e.stdout, "audit log BROKEN at entry %d: %s\n%d entries before it are intact.\n", res.Break.Seq, res.Break.Reason, res.Entries)
			return fmt.Errorf("audit verify: %w", res.Break)
		}
		fmt.Fprintf(e.stdout, "audit log intact: %d entries, head %d:%s\n", res.Entries, res.HeadSeq, res.Head)
		if cp != nil {
			fmt.Fprintf(e.stdout, "checkpoint %s found unchanged: nothing up to entry %d was removed or changed.\n", cp, cp.Seq)
		} else {
			fmt.Fprintln(e.stdout, "Removal of the newest entries shows only against a checkpoint: ccg audit verify --against SEQ:HASH.")
		}
	case "checkpoint":
		cp, err := a.access.AuditCheckpoint(ctx, access.System)
		if err != nil {
			return fmt.Errorf("audit checkpoint: %w", err)
		}
		fmt.Fprintln(e.stdout, cp)
	case "list":
		es, err := a.access.AuditLog(ctx, access.System, after, int(limit))
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tAT\tACTOR\tEVENT\tSUBJECT\tDETAIL\tIP")
		for _, x := range es {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", x.Seq, x.At.Format("2006-01-02 15:04:05"), x.Actor, x.Event, x.Subject, x.Detail, x.IP)
		}
		return tw.Flush()
	}
	return nil
}
