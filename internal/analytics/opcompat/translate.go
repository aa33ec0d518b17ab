package opcompat

import (
	"fmt"
	"regexp"
	"strings"
)

// RefusedError is a definition's SQL that ccg will not run, with the
// clause it is in and the reason.
type RefusedError struct {
	Clause string // "numerator_where", "denominator_bnf_codes_query", ...
	Reason string
}

// Error implements error.
func (e *RefusedError) Error() string { return e.Clause + ": " + e.Reason }

// token kinds of the small SQL lexer
type tokKind int

const (
	tWord   tokKind = iota // identifier or keyword
	tString                // '...' string literal (already in DuckDB form)
	tQuoted                // "..." or `...`, as written
	tNumber
	tPunct
	tSpace // whitespace and comments (comments become a space or a newline)
	tPlaceholder
)

type token struct {
	kind tokKind
	text string
}

// lex splits BigQuery SQL into tokens. Comments (# and -- to the end of a
// line, /* */) become whitespace. It fails on an unterminated string,
// quoted name or comment.
func lex(sql string) ([]token, error) {
	var out []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '#' || (c == '-' && i+1 < len(sql) && sql[i+1] == '-'):
			j := strings.IndexByte(sql[i:], '\n')
			if j < 0 {
				j = len(sql) - i
			}
			out = append(out, token{tSpace, " "})
			i += j
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			j := strings.Index(sql[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("a /* comment is never closed")
			}
			out = append(out, token{tSpace, " "})
			i += j + 4
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			j := i
			for j < len(sql) && strings.IndexByte(" \t\n\r", sql[j]) >= 0 {
				j++
			}
			out = append(out, token{tSpace, sql[i:j]})
			i = j
		case c == '\'' || c == '"':
			// BigQuery: both quote strings; \ escapes; a doubled quote too.
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(sql) {
				d := sql[j]
				if d == '\\' && j+1 < len(sql) {
					b.WriteByte(sql[j+1])
					j += 2
					continue
				}
				if d == c {
					if j+1 < len(sql) && sql[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(d)
				j++
			}
			if !closed {
				return nil, fmt.Errorf("a string starting %q is never closed", abbreviate(sql[i:]))
			}
			out = append(out, token{tString, "'" + strings.ReplaceAll(b.String(), "'", "''") + "'"})
			i = j
		case c == '`':
			j := strings.IndexByte(sql[i+1:], '`')
			if j < 0 {
				return nil, fmt.Errorf("a `quoted name` is never closed")
			}
			out = append(out, token{tQuoted, sql[i+1 : i+1+j]})
			i += j + 2
		case c == '{':
			j := strings.IndexByte(sql[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("a { placeholder is never closed")
			}
			out = append(out, token{tPlaceholder, sql[i+1 : i+j]})
			i += j + 1
		case isWordStart(c):
			j := i
			for j < len(sql) && isWordPart(sql[j]) {
				j++
			}
			out = append(out, token{tWord, sql[i:j]})
			i = j
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9'):
			j := i
			for j < len(sql) && (sql[j] >= '0' && sql[j] <= '9' || sql[j] == '.' || sql[j] == 'e' || sql[j] == 'E') {
				j++
			}
			out = append(out, token{tNumber, sql[i:j]})
			i = j
		default:
			out = append(out, token{tPunct, string(c)})
			i++
		}
	}
	return out, nil
}

func isWordStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isWordPart(c byte) bool  { return isWordStart(c) || c >= '0' && c <= '9' }

func abbreviate(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

// namePattern is a plain SQL name.
var namePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// schemas are the datasets definitions name, as placeholders or plainly.
var schemas = map[string]bool{"hscic": true, "measures": true, "dmd": true}

// functionRenames are BigQuery functions with a DuckDB equivalent under
// another name (the bq_* ones are macros the sandbox defines).
var functionRenames = map[string]string{
	"IEEE_DIVIDE": "ieee_divide", "SAFE_DIVIDE": "safe_divide", "TIMESTAMP": "bq_timestamp",
	"SUBSTR": "bq_substr", "SUBSTRING": "bq_substr", "SAFE_CAST": "TRY_CAST", "REGEXP_CONTAINS": "regexp_matches",
	"LOGICAL_OR": "bool_or", "LOGICAL_AND": "bool_and", "COUNTIF": "count_if",
}

// typeRenames are BigQuery type names.
var typeRenames = map[string]string{"INT64": "BIGINT", "FLOAT64": "DOUBLE", "STRING": "VARCHAR", "BOOL": "BOOLEAN", "NUMERIC": "DECIMAL(38,9)"}

// refusedWords are words a definition's SQL may not use: statements other
// than a query, and functions that reach outside the compatibility tables.
var refusedWords = map[string]string{
	"ATTACH": "attaching databases", "DETACH": "detaching databases", "COPY": "copying to or from files",
	"EXPORT": "exporting", "IMPORT": "importing", "INSTALL": "installing extensions", "LOAD": "loading extensions",
	"PRAGMA": "pragmas", "SET": "changing settings", "RESET": "changing settings", "CALL": "calling procedures",
	"INSERT": "writing", "UPDATE": "writing", "DELETE": "writing", "MERGE": "writing", "CREATE": "creating objects",
	"DROP": "dropping objects", "ALTER": "altering objects", "TRUNCATE": "writing", "DECLARE": "scripting",
	"EXECUTE": "dynamic SQL", "BEGIN": "transactions", "COMMIT": "transactions", "ROLLBACK": "transactions",
	"CHECKPOINT": "checkpoints", "VACUUM": "maintenance",
	"READ_CSV": "reading files", "READ_CSV_AUTO": "reading files", "READ_PARQUET": "reading files", "READ_JSON": "reading files",
	"READ_JSON_AUTO": "reading files", "READ_TEXT": "reading files", "READ_BLOB": "reading files", "GLOB": "listing files",
	"PARQUET_SCAN": "reading files", "PARQUET_METADATA": "reading files", "SNIFF_CSV": "reading files", "GETENV": "reading the environment",
	"SQLITE_SCAN": "reading other databases", "POSTGRES_SCAN": "reading other databases", "QUERY": "dynamic SQL",
	"QUERY_TABLE": "dynamic SQL",
}

// Translate checks that sql (one clause of a definition, of the given
// part: "query" for a whole SELECT, "columns", "from" or "where") is
// something ccg runs, and returns it in DuckDB's dialect:
// BigQuery's # comments dropped, {hscic}/{measures}/{dmd}/{project}
// placeholders and `project.dataset.table` names resolved to the
// compatibility schemas, "double-quoted" strings made 'single-quoted',
// UNION DISTINCT made UNION, IEEE_DIVIDE, SAFE_DIVIDE, TIMESTAMP(),
// SUBSTR (BigQuery counts position 0 as 1), SAFE_CAST, REGEXP_CONTAINS and
// BigQuery type names mapped. A whole query must be one SELECT (or
// WITH … SELECT). Anything else is a *RefusedError naming clause.
func Translate(clause, part, sql string) (string, error) {
	refuse := func(format string, args ...any) error {
		return &RefusedError{Clause: clause, Reason: fmt.Sprintf(format, args...)}
	}
	toks, err := lex(sql)
	if err != nil {
		return "", refuse("%v", err)
	}
	var b strings.Builder
	var words []string // significant words, upper case, in order
	depth := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tSpace:
			b.WriteString(t.text)
		case tString, tNumber:
			b.WriteString(t.text)
		case tPlaceholder:
			name := strings.TrimSpace(t.text)
			if name == "project" {
				// {project}.{hscic}.x: the project is dropped with its dot.
				if i+1 < len(toks) && toks[i+1].kind == tPunct && toks[i+1].text == "." {
					i++
				}
				continue
			}
			if !schemas[name] {
				return "", refuse("the placeholder {%s} is not one ccg knows ({hscic}, {measures}, {dmd})", name)
			}
			b.WriteString(name)
		case tQuoted:
			parts := strings.Split(t.text, ".")
			if len(parts) == 3 {
				parts = parts[1:] // project.dataset.table
			}
			for k, p := range parts {
				if k > 0 {
					b.WriteByte('.')
				}
				if !namePattern.MatchString(p) {
					return "", refuse("the quoted name `%s` is not a table or column name", t.text)
				}
				b.WriteString(p)
			}
		case tWord:
			up := strings.ToUpper(t.text)
			if why, bad := refusedWords[up]; bad {
				return "", refuse("%s is not allowed (%s): a definition may only query the compatibility tables", up, why)
			}
			words = append(words, up)
			next := nextSignificant(toks, i+1)
			isCall := next >= 0 && toks[next].kind == tPunct && toks[next].text == "("
			switch {
			case up == "UNION" && next >= 0 && strings.EqualFold(toks[next].text, "DISTINCT"):
				b.WriteString("UNION")
				i = next
			case isCall && functionRenames[up] != "":
				b.WriteString(functionRenames[up])
			case typeRenames[up] != "" && !isCall:
				b.WriteString(typeRenames[up])
			default:
				b.WriteString(t.text)
			}
		case tPunct:
			switch t.text {
			case ";":
				if nextSignificant(toks, i+1) >= 0 {
					return "", refuse("only one statement may be given (a ';' is followed by more)")
				}
				continue
			case "(":
				depth++
			case ")":
				depth--
				if depth < 0 {
					return "", refuse("a ')' has no matching '('")
				}
			}
			b.WriteString(t.text)
		}
	}
	if depth != 0 {
		return "", refuse("a '(' is never closed")
	}
	out := strings.TrimSpace(b.String())
	if out == "" {
		return "", refuse("it is empty")
	}
	if part == "query" {
		if len(words) == 0 || (words[0] != "SELECT" && words[0] != "WITH") {
			first := ""
			if len(words) > 0 {
				first = words[0]
			}
			return "", refuse("a BNF codes query must be one SELECT (or WITH … SELECT), not %q", first)
		}
	}
	return out, nil
}

func nextSignificant(toks []token, i int) int {
	for ; i < len(toks); i++ {
		if toks[i].kind != tSpace {
			return i
		}
	}
	return -1
}
