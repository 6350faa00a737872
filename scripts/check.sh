#!/usr/bin/env bash
# What CI runs: formatting, vet, the dependency rule, and the test suite
# under the race detector.
set -euo pipefail
cd "$(dirname "$0")/.."

unformatted=$(gofmt -l .)
if [ -n "$unformatted" ]; then
	echo "gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi

go vet ./...

# pkg/actor, pkg/registry and pkg/supervisor are the embeddable runtime:
# standard library only (and pkg/actor below registry and supervisor,
# which never import each other). Their tests may use test libraries
# (rapid, porcupine, goleak).
# pkg/dist (node identity, remote PIDs, the wire's terms) is too.
outside=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./pkg/actor ./pkg/registry ./pkg/supervisor ./pkg/dist | grep -v '^github.com/actorsh/actorsh/' || true)
if [ -n "$outside" ]; then
	echo "pkg/actor, pkg/registry, pkg/supervisor and pkg/dist must use the standard library only; they import:" >&2
	echo "$outside" >&2
	exit 1
fi
# pkg/starkind is the only importer of go.starlark.net.
starlark=$(go list -f '{{.ImportPath}} {{join .Imports " "}}' ./... | grep -v '^github.com/actorsh/actorsh/pkg/starkind ' | grep ' go.starlark.net' || true)
if [ -n "$starlark" ]; then
	echo "only pkg/starkind may import go.starlark.net; so do:" >&2
	echo "$starlark" | cut -d' ' -f1 >&2
	exit 1
fi
# pkg/natsdist is the only importer of github.com/nats-io.
nats=$(go list -f '{{.ImportPath}} {{join .Imports " "}}' ./... | grep -v '^github.com/actorsh/actorsh/pkg/natsdist ' | grep ' github.com/nats-io/' || true)
if [ -n "$nats" ]; then
	echo "only pkg/natsdist may import github.com/nats-io; so do:" >&2
	echo "$nats" | cut -d' ' -f1 >&2
	exit 1
fi
if go list -deps ./pkg/actor ./pkg/registry ./pkg/supervisor ./pkg/dist | grep -q 'pkg/natsdist$'; then
	echo "the runtime's packages and pkg/dist must not import pkg/natsdist" >&2
	exit 1
fi
# internal/observe is the observer's server: standard library only (the
# browser tests' chromedp is a test dependency of internal/shell).
obs=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./internal/observe | grep -v '^github.com/actorsh/actorsh/' || true)
if [ -n "$obs" ]; then
	echo "internal/observe must use the standard library only; it imports:" >&2
	echo "$obs" >&2
	exit 1
fi
if go list -deps ./cmd/actorsh | grep -q chromedp; then
	echo "chromedp is for tests only; actorsh itself imports it" >&2
	exit 1
fi
for p in registry supervisor; do
	other=$([ $p = registry ] && echo supervisor || echo registry)
	if go list -deps ./pkg/$p | grep -q "pkg/$other\$"; then
		echo "pkg/$p must not import pkg/$other" >&2
		exit 1
	fi
done

go test -race ./...
