package shell

import (
	"runtime"
	"runtime/debug"
)

// Version says which actorsh this is: the module version it was built as,
// or the commit it was built from (with -dirty for uncommitted changes),
// and the Go that built it.
func Version() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		} else {
			var rev, dirty string
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					if s.Value == "true" {
						dirty = "-dirty"
					}
				}
			}
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev != "" {
				v = "devel " + rev + dirty
			}
		}
	}
	return v + " (" + runtime.Version() + ")"
}
