# ccg: make test is the one test command (see scripts/test-env.sh).

GO ?= go

# Extra go test flags and the packages to test, passed to scripts/test-env.sh:
#   make test TESTFLAGS="-run Registry -v" TESTPKGS=./internal/store/...
TESTFLAGS ?=
TESTPKGS ?= ./...
export TESTFLAGS TESTPKGS

.PHONY: test build demo vet bench screenshots

## test: install what tests need (chromium, PostgreSQL), start a throwaway PostgreSQL, run every test
test:
	bash scripts/test-env.sh

## build: build the ccg binary into bin/
build:
	$(GO) build -o bin/ccg ./cmd/ccg

## demo: run the demo
demo:
	$(GO) run ./cmd/ccg demo

## screenshots: run the demo and capture its main pages in headless Chromium into docs/screenshots/
##              (the README shows them); needs chromium (make test installs it)
screenshots:
	CCG_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' -v ./e2e

## vet: go vet every package
vet:
	$(GO) vet ./...

## bench: run every Go benchmark, then the national prescribing benchmark: a synthetic 17-million-row EPD month
##        (cached in .bench-cache/ after the first run) imported with every measure computed, against DuckDB alone
##        (the floor) and PostgreSQL COPY + SQL (a throwaway cluster from scripts/test-env.sh); prints a table with ratios
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	CCG_NO_BROWSER=1 bash scripts/test-env.sh -run '^TestPrescribingBench$$' -count=1 -timeout 0 -v ./internal/bench -args -bench-size=national

## assets: refresh the NHS.UK frontend embedded in internal/web/static/nhsuk from npm (needs npm; go build does not)
NHSUK_FRONTEND_VERSION ?= 10.1.0
SASS_VERSION ?= 1.108.2
.PHONY: assets
assets:
	bash internal/web/assets.sh $(NHSUK_FRONTEND_VERSION) $(SASS_VERSION)
