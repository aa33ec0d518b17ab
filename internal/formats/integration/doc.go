// Package integration holds the format handlers' tests that run through the
// import service with a real SQLite store: fixtures of our own making, and
// the public sample files under ../shared/data when they are present.
package integration
