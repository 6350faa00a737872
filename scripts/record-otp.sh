#!/usr/bin/env bash
# Records what Elixir/OTP does in the scenarios of
# pkg/supervisor/testdata/otp/scenarios.exs, for the differential test
# TestOTPRecordings. Needs Elixir (apt-get install elixir gives 1.14 on
# OTP 25); the tests need only the recording. Review the diff.
set -euo pipefail
cd "$(dirname "$0")/../pkg/supervisor/testdata/otp"
{
	echo "# recorded $(date -u +%Y-%m-%d) with Elixir $(elixir -e 'IO.write(System.version())') on OTP $(elixir -e 'IO.write(System.otp_release())')"
	elixir scenarios.exs
} > recording.txt
