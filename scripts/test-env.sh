#!/usr/bin/env bash
# test-env.sh: the project's one test command (run it as `make test`).
#
# It makes a fresh Debian machine ready and runs every test:
#   1. installs chromium when it is missing (browser tests use it) and exports
#      CCG_TEST_CHROMIUM; installs axe-core (pinned) from npm into
#      .test-cache/ when missing and exports CCG_TEST_AXE (the crawl's
#      accessibility checks);
#   2. starts a throwaway PostgreSQL cluster in a temporary folder (unix socket
#      there, TCP on 127.0.0.1 at a free port), creates database ccgtest and
#      exports CCG_TEST_POSTGRES, so the store conformance suite runs on
#      PostgreSQL as well as SQLite;
#   3. builds Mailpit (a real SMTP server with an HTTP API) into .tools/bin
#      with `go install` when it is missing, starts it on free loopback ports
#      and exports CCG_TEST_SMTP (host:port) and CCG_TEST_MAILPIT_API
#      (http://host:port), so the mail tests deliver real messages;
#   4. runs go test ./... (extra flags from TESTFLAGS, packages from TESTPKGS;
#      arguments given to this script replace both);
#   5. always stops the cluster and Mailpit and removes their folders on exit.
#
# Environment:
#   TESTFLAGS          extra go test flags, e.g. TESTFLAGS='-run "Registry|Merger" -v' (quotes group words)
#   TESTPKGS           packages to test (default ./...)
#   CCG_TEST_POSTGRES  when already set, that database is used and no cluster is started
#   CCG_NO_BROWSER=1   do not install chromium or axe-core (browser tests then skip)
#   CCG_TEST_AXE       when already set, that axe.min.js is used
#   CCG_NO_POSTGRES=1  do not start PostgreSQL (the PostgreSQL suite then skips)
#   CCG_NO_MAIL=1      do not start Mailpit (the mail delivery tests then skip)
#   CCG_TEST_SMTP      when already set (with CCG_TEST_MAILPIT_API), that Mailpit is used
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'test-env: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=""
apt_install() {
	if ! is_root; then
		log "need $* but not root, so cannot install it (as root: apt-get install -y $*)"
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if [ -z "$apt_updated" ]; then
		log "apt-get update"
		apt-get update -qq || apt-get update -qq
		apt_updated=1
	fi
	log "apt-get install -y $*"
	apt-get install -y -qq "$@" >/dev/null ||
		apt-get install -y -qq "$@" >/dev/null
}

# --- 1. chromium ------------------------------------------------------------
if [ "${CCG_NO_BROWSER:-}" != 1 ]; then
	if ! command -v chromium >/dev/null 2>&1; then
		apt_install chromium || is_root || log "WARNING: no chromium: browser tests will skip"
	fi
	if command -v chromium >/dev/null 2>&1; then
		CCG_TEST_CHROMIUM="$(command -v chromium)"
		export CCG_TEST_CHROMIUM
		log "chromium: $CCG_TEST_CHROMIUM"
	elif is_root; then
		die "chromium is not on PATH after installing it"
	fi
fi

# --- 1b. axe-core (the crawl's accessibility checks run it in Chromium) -----
# Installed from npm, pinned, into a git-ignored folder of the repo, once.
AXE_VERSION=4.10.3
if [ "${CCG_NO_BROWSER:-}" != 1 ] && [ -z "${CCG_TEST_AXE:-}" ]; then
	axe_dir=".test-cache/axe-$AXE_VERSION"
	axe_js="$axe_dir/node_modules/axe-core/axe.min.js"
	if [ ! -f "$axe_js" ]; then
		if ! command -v npm >/dev/null 2>&1; then
			apt_install npm || log "WARNING: no npm: the accessibility checks will be skipped"
		fi
		if command -v npm >/dev/null 2>&1; then
			log "npm install axe-core@$AXE_VERSION"
			mkdir -p "$axe_dir"
			npm install --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
				--prefix "$axe_dir" "axe-core@$AXE_VERSION" >/dev/null ||
				log "WARNING: could not install axe-core: the accessibility checks will be skipped"
		fi
	fi
	if [ -f "$axe_js" ]; then
		CCG_TEST_AXE="$PWD/$axe_js"
		export CCG_TEST_AXE
		log "axe-core: $CCG_TEST_AXE"
	fi
fi

# --- 2. PostgreSQL ----------------------------------------------------------
pg_dir=""
pg_bin=""
run_pg() {
	# PostgreSQL refuses to run as root: run its tools as the postgres user.
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

mailpit_pid=""
mailpit_dir=""

cleanup() {
	local rc=$?
	if [ -n "$mailpit_pid" ]; then
		kill "$mailpit_pid" 2>/dev/null || true
		wait "$mailpit_pid" 2>/dev/null || true
	fi
	if [ -n "$mailpit_dir" ]; then
		rm -rf "$mailpit_dir"
	fi
	if [ -n "$pg_dir" ]; then
		if [ -f "$pg_dir/data/postmaster.pid" ]; then
			run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
		fi
		rm -rf "$pg_dir"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

find_pg_bin() {
	local d
	d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		echo "$d"
	fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_postgres() {
	pg_bin="$(find_pg_bin)"
	if [ -z "$pg_bin" ]; then
		if ! apt_install postgresql; then
			is_root && die "could not install PostgreSQL"
			log "WARNING: no PostgreSQL: the PostgreSQL suite will skip"
			return 0
		fi
		pg_bin="$(find_pg_bin)"
		[ -n "$pg_bin" ] || die "PostgreSQL installed but no initdb under /usr/lib/postgresql/*/bin"
	fi
	if is_root && ! id postgres >/dev/null 2>&1; then
		useradd --system --no-create-home --shell /usr/sbin/nologin postgres
	fi

	pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/ccg-pg.XXXXXX")"
	if is_root; then
		chown postgres: "$pg_dir"
	fi
	log "initdb ($pg_bin) in $pg_dir"
	run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync \
		>"$pg_dir/initdb.log" 2>&1 || {
		cat "$pg_dir/initdb.log" >&2
		die "initdb failed"
	}

	local port="" try
	for try in 1 2 3 4 5 6 7 8; do
		port=$((20000 + (RANDOM % 20000)))
		port_in_use "$port" && continue
		# Throwaway data: no fsync, so tests do not wait on the disk.
		if run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
			start >/dev/null; then
			break
		fi
		port=""
		log "PostgreSQL did not start on port $port (try $try); trying another"
	done
	if [ -z "$port" ]; then
		cat "$pg_dir/server.log" >&2 || true
		die "could not start PostgreSQL"
	fi
	run_pg "$pg_bin/createdb" -h "$pg_dir" -p "$port" -U postgres ccgtest
	export CCG_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/ccgtest?sslmode=disable"
	log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port: CCG_TEST_POSTGRES=$CCG_TEST_POSTGRES"
}

if [ -n "${CCG_TEST_POSTGRES:-}" ]; then
	log "using the PostgreSQL database in CCG_TEST_POSTGRES"
elif [ "${CCG_NO_POSTGRES:-}" = 1 ]; then
	log "CCG_NO_POSTGRES=1: PostgreSQL suite will skip"
else
	start_postgres
fi

# --- 3. Mailpit ----------------------------------------------------------
# Pinned; built from source through the Go module proxy (no binary downloads).
MAILPIT_VERSION=v1.33.1

free_port() {
	local p try
	for try in $(seq 1 20); do
		p=$((20000 + (RANDOM % 20000)))
		port_in_use "$p" || {
			echo "$p"
			return 0
		}
	done
	return 1
}

start_mailpit() {
	local bin
	bin="$(command -v mailpit || true)"
	if [ -z "$bin" ]; then
		bin="$PWD/.tools/bin/mailpit"
		if [ ! -x "$bin" ]; then
			log "building Mailpit $MAILPIT_VERSION into .tools/bin (once; takes a few minutes)"
			mkdir -p .tools/bin
			GOBIN="$PWD/.tools/bin" GOFLAGS=-buildvcs=false go install "github.com/axllent/mailpit@$MAILPIT_VERSION" ||
				die "could not build Mailpit (go install github.com/axllent/mailpit@$MAILPIT_VERSION)"
		fi
	fi
	mailpit_dir="$(mktemp -d "${TMPDIR:-/tmp}/ccg-mailpit.XXXXXX")"
	local smtp_port http_port try
	for try in 1 2 3 4 5; do
		smtp_port="$(free_port)" && http_port="$(free_port)" || die "no free port for Mailpit"
		"$bin" --smtp "127.0.0.1:$smtp_port" --listen "127.0.0.1:$http_port" --database "$mailpit_dir/mailpit.db" \
			--max 5000 --enable-chaos --disable-version-check --quiet >"$mailpit_dir/mailpit.log" 2>&1 &
		mailpit_pid=$!
		local i
		for i in $(seq 1 100); do
			if port_in_use "$smtp_port" && port_in_use "$http_port"; then
				export CCG_TEST_SMTP="127.0.0.1:$smtp_port"
				export CCG_TEST_MAILPIT_API="http://127.0.0.1:$http_port"
				log "Mailpit on SMTP $CCG_TEST_SMTP, API $CCG_TEST_MAILPIT_API"
				return 0
			fi
			kill -0 "$mailpit_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$mailpit_pid" 2>/dev/null || true
		wait "$mailpit_pid" 2>/dev/null || true
		mailpit_pid=""
		log "Mailpit did not start (try $try): $(tail -3 "$mailpit_dir/mailpit.log")"
	done
	die "could not start Mailpit"
}

if [ -n "${CCG_TEST_SMTP:-}" ]; then
	log "using the Mailpit in CCG_TEST_SMTP / CCG_TEST_MAILPIT_API"
elif [ "${CCG_NO_MAIL:-}" = 1 ]; then
	log "CCG_NO_MAIL=1: mail delivery tests will skip"
else
	start_mailpit
fi

# --- 4. tests ---------------------------------------------------------------
# The e2e package (the crawl on both engines) takes longer than go test's
# default 10 minutes on a busy machine; a -timeout given later wins.
if [ $# -gt 0 ]; then
	set -- -timeout 40m "$@"
else
	# TESTFLAGS and TESTPKGS are word lists; quotes group words, as in
	# TESTFLAGS='-run "TestA|TestB"' (xargs splits them; nothing is run).
	mapfile -d '' words < <(printf '%s %s' "${TESTFLAGS:-}" "${TESTPKGS:-./...}" | xargs printf '%s\0')
	set -- -timeout 40m "${words[@]}"
fi
log "go test $*"
go test "$@"
