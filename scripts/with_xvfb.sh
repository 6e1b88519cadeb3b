#!/usr/bin/env bash
# Runs a command under a private Xvfb server and stops that server by PID.
# Usage: scripts/with_xvfb.sh COMMAND [ARGS...]
# Xvfb picks a free display itself (-displayfd), so parallel runs don't race.
# If DISPLAY is already set and STROKEVIZ_FORCE_XVFB is unset, runs the command as is.
set -u
if [ -n "${DISPLAY:-}" ] && [ -z "${STROKEVIZ_FORCE_XVFB:-}" ]; then
  exec "$@"
fi
command -v Xvfb >/dev/null || { echo "with_xvfb.sh: Xvfb not installed (apt-get install xvfb)" >&2; exit 2; }

dir=$(mktemp -d /tmp/strokeviz-xvfb.XXXXXX)
mkfifo "$dir/fd"
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp -noreset 3>"$dir/fd" >"$dir/log" 2>&1 &
xpid=$!
# Read the display number; bounded at 15 s in case Xvfb fails to start.
display=""
if read -r -t 15 display <"$dir/fd"; then :; fi
if [ -z "$display" ] || ! kill -0 "$xpid" 2>/dev/null; then
  echo "with_xvfb.sh: Xvfb did not start:" >&2
  cat "$dir/log" >&2
  kill "$xpid" 2>/dev/null; wait "$xpid" 2>/dev/null
  rm -rf "$dir"
  exit 2
fi
export DISPLAY=":$display"
"$@"
rc=$?
kill "$xpid" 2>/dev/null
wait "$xpid" 2>/dev/null
rm -rf "$dir"
exit $rc
