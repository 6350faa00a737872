#!/usr/bin/env bash
# Rewrites the expected output in cmd/actorsh/testdata from the current
# behaviour. Review the diff before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./cmd/actorsh -run TestScripts -update
git diff --stat -- cmd/actorsh/testdata
