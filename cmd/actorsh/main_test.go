package main

import (
	"flag"

	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite cmp golden files in testdata")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"actorsh": main})
}

func TestScripts(t *testing.T) {
	scripts, err := filepath.Abs("../../scripts")
	if err != nil {
		t.Fatal(err)
	}
	kinds, err := filepath.Abs("../../kinds")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("SCRIPTS", scripts)
			env.Setenv("KINDS", kinds) // the example kinds, as shipped
			env.Setenv("ACTORSH_HISTORY", "")
			env.Setenv("NO_COLOR", "")
			env.Setenv("LONG", strings.Repeat("n", 1100))
			return nil
		},
	})
}
