// Command actorsh is an interactive shell over an in-process actor runtime
// with the semantics of Erlang/OTP.
package main

import (
	"os"

	"github.com/actorsh/actorsh/internal/iostreams"
	"github.com/actorsh/actorsh/internal/shell"
)

func main() { os.Exit(shell.Main(os.Args[1:], iostreams.System())) }
