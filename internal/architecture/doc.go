// Package architecture holds no code: its test enforces the rooms of the
// tree and the arrows between them (which package may import which), as
// drawn in docs/ARCHITECTURE.md.
//
// The rules:
//   - domain packages (every package under internal/ that is not an adapter,
//     the CLI, the web layer, the benchmark or a test helper) import no SQL
//     driver or database/sql, no net/http, no DuckDB and no adapter;
//   - format packages (internal/formats/...) parse files and import no
//     adapter;
//   - adapters (store/..., analytics/..., oidc/...) import neither the web
//     layer nor the CLI;
//   - the web layer imports no concrete store: stores are wired only in the
//     CLI (internal/cli).
package architecture
