#!/usr/bin/env -S actorsh run
# Restart types: which exits make the supervisor restart a child.
#
#   exit reason                  | permanent | transient | temporary
#   normal                       | restart   | no        | no
#   shutdown, {shutdown, X}      | restart   | no        | no
#   killed, custom reason, panic | restart   | restart   | no

sup start lab --dynamic --max-restarts 100
spawn counter --sup lab --name p --restart permanent
spawn counter --sup lab --name t --restart transient
spawn counter --sup lab --name tmp --restart temporary

echo -- a normal exit: only the permanent child comes back
stop p normal
stop t normal
stop tmp normal
expect restarted p
expect not-restarted t
expect not-restarted tmp

spawn counter --sup lab --name t --restart transient
spawn counter --sup lab --name tmp --restart temporary
echo -- {shutdown, X} counts as clean too
stop t {shutdown, maintenance}
expect not-restarted t

spawn counter --sup lab --name t --restart transient
echo -- a crash: permanent and transient come back, temporary does not
kill p boom
kill t boom
kill tmp boom
expect restarted p
expect restarted t
expect not-restarted tmp
sup children lab
