package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"ccg/internal/access"
	dmdformat "ccg/internal/formats/dmd"
	"ccg/internal/importing"
	"ccg/internal/variation"
)

// importFolder imports a folder: a dm+d release (kind dmd, read as one
// stream, all-or-nothing) or a library of measure definitions (kind
// measures, one import per *.json file, printed as a table).
func importFolder(ctx context.Context, e *env, a *app, kind, dir string, opts importing.Options) error {
	if access.ActorFrom(ctx) == nil {
		ctx = access.WithActor(ctx, access.System)
	}
	switch kind {
	case "dmd":
		b, err := dmdformat.OpenFolder(dir)
		if err != nil {
			return fmt.Errorf("import dmd: %w", err)
		}
		defer b.Close()
		if e.interactive && opts.Progress == nil {
			opts.Progress = newProgressBar(e.stderr)
		}
		sum, err := a.imports.Import(ctx, kind, b.Name, b, b.Size, opts)
		if err != nil {
			return err
		}
		printSummary(e.stdout, sum)
		return nil
	case "measures":
		return importMeasureLibrary(ctx, e, a, dir, opts)
	}
	return fmt.Errorf("import %s: %s is a folder; only the dmd and measures kinds import a folder", kind, dir)
}

// measureRow is one line of the library table.
type measureRow struct{ id, kind, status, reason string }

// importMeasureLibrary imports every *.json definition in dir and prints
// id, kind (filter/query/custom), imported or refused, and the reason. It
// fails only with --strict when a definition is refused.
func importMeasureLibrary(ctx context.Context, e *env, a *app, dir string, opts importing.Options) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return fmt.Errorf("import measures: %w", err)
	}
	if len(files) == 0 {
		return fmt.Errorf("import measures: %s holds no .json measure definitions", dir)
	}
	sort.Strings(files)
	strict := opts.Strict
	opts.Strict = false
	var rows []measureRow
	refused := 0
	for _, f := range files {
		id := variation.IDFromFileName(f)
		row := measureRow{id: id, kind: definitionKind(f)}
		sum, err := a.imports.ImportFile(ctx, "measures", f, opts)
		switch {
		case err != nil:
			row.status, row.reason = "refused", refusalReason(id, err)
			refused++
		case sum.AlreadyImported:
			row.status, row.reason = "imported", "already imported; nothing changed"
		default:
			row.status = "imported"
		}
		rows = append(rows, row)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tRESULT\tREASON")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.id, r.kind, r.status, r.reason)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "%d of %d definitions imported, %d refused\n", len(rows)-refused, len(rows), refused)
	if strict && refused > 0 {
		return fmt.Errorf("import measures: %d of %d definitions refused (--strict)", refused, len(rows))
	}
	return nil
}

// definitionKind reads a definition's kind without importing it: custom,
// query, filter, or "?" when the file is not a definition.
func definitionKind(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "?"
	}
	if m, err := variation.ParseMeasure(filepath.Base(path), data); err == nil {
		return m.Kind()
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil {
		return "?"
	}
	typ := string(raw["numerator_type"]) + string(raw["denominator_type"])
	switch {
	case strings.Contains(typ, `"custom"`):
		return variation.KindCustom
	case raw["numerator_bnf_codes_query"] != nil || raw["denominator_bnf_codes_query"] != nil:
		return variation.KindQuery
	}
	return variation.KindFilter
}

// refusalReason is the part of an import error people need: what is wrong
// with the definition, without the chain of operations.
func refusalReason(id string, err error) string {
	msg := err.Error()
	var fe *importing.FileError
	if errors.As(err, &fe) && fe.Line > 0 {
		return msg
	}
	for _, marker := range []string{`openprescribing measure "` + id + `": `, `measure "` + id + `": `} {
		if i := strings.LastIndex(msg, marker); i >= 0 {
			msg = msg[i+len(marker):]
			break
		}
	}
	for _, tail := range []string{": measure definition not supported: invalid", ": invalid"} {
		msg = strings.TrimSuffix(msg, tail)
	}
	return msg
}
