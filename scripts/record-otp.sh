#!/usr/bin/env bash
# Records what Elixir/OTP does in the scenarios of
# pkg/supervisor/testdata/otp/scenarios.exs and
# pkg/starkind/testdata/otp/probe.exs, for the differential tests
# TestOTPRecordings and TestProbeAgainstOTP. Needs Elixir (apt-get install elixir gives 1.14 on
# OTP 25); the tests need only the recording. Review the diff.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
record() { # DIR SCRIPT: the script's output (not Logger's) to DIR/recording.txt
	cd "$root/$1"
	{
		echo "# recorded $(date -u +%Y-%m-%d) with Elixir $(elixir -e 'IO.write(System.version())') on OTP $(elixir -e 'IO.write(System.otp_release())')"
		elixir "$2" 2>/dev/null
	} > recording.txt
}
record pkg/supervisor/testdata/otp scenarios.exs
record pkg/starkind/testdata/otp probe.exs
