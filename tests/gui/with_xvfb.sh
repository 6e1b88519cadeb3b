#!/usr/bin/env bash
# Runs a command under a private Xvfb server and stops that server by PID.
# Usage: tests/gui/with_xvfb.sh COMMAND [ARGS...]
# If DISPLAY is already set and STROKEVIZ_FORCE_XVFB is unset, runs the command as is.
set -u
if [ -n "${DISPLAY:-}" ] && [ -z "${STROKEVIZ_FORCE_XVFB:-}" ]; then
  exec "$@"
fi
command -v Xvfb >/dev/null || { echo "with_xvfb.sh: Xvfb not installed (apt-get install xvfb)" >&2; exit 2; }

# Pick a free display number: no lock file and no socket.
for n in $(seq 90 190); do
  if [ ! -e "/tmp/.X${n}-lock" ] && [ ! -e "/tmp/.X11-unix/X${n}" ]; then
    Xvfb ":${n}" -screen 0 1600x1000x24 -nolisten tcp -noreset >"/tmp/strokeviz-xvfb-${n}.log" 2>&1 &
    xpid=$!
    # Wait (bounded: 10 s) for the socket to appear or the server to die.
    for _ in $(seq 1 200); do
      [ -S "/tmp/.X11-unix/X${n}" ] && break
      kill -0 "$xpid" 2>/dev/null || break
      sleep 0.05
    done
    if [ -S "/tmp/.X11-unix/X${n}" ] && kill -0 "$xpid" 2>/dev/null; then
      export DISPLAY=":${n}"
      "$@"
      rc=$?
      kill "$xpid" 2>/dev/null
      wait "$xpid" 2>/dev/null
      exit $rc
    fi
    kill "$xpid" 2>/dev/null; wait "$xpid" 2>/dev/null
  fi
done
echo "with_xvfb.sh: could not start Xvfb on any display :90..:190" >&2
exit 2
