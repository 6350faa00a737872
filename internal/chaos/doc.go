// Package chaos holds actorsh's soak test: kill storms against supervision
// trees built from the public packages only, with a report of what broke.
// It has no code of its own beyond the test; run it with
//
//	go test -run Soak ./internal/chaos                       # short, as CI does
//	ACTORSH_SOAK_CYCLES=10000000 go test -run Soak -timeout 0 -v ./internal/chaos
//	ACTORSH_SOAK_DURATION=10m go test -run Soak -timeout 0 -v ./internal/chaos
//
// docs/RELIABILITY.md has the figures of a long run.
package chaos
