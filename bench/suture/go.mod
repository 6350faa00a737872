module github.com/actorsh/actorsh/bench/suture

go 1.25.0

require github.com/thejerf/suture/v4 v4.0.6
