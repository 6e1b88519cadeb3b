#!/usr/bin/env bash
# Main job: installs what is missing, builds, and runs the viewer on the
# tatbotlogo scene. With no display it runs under a private Xvfb and writes
# a screenshot instead (path printed). Extra arguments go to strokeviz.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
exe=build/app/strokeviz
if [ -n "${DISPLAY:-}" ]; then
  exec "$exe" --scene=tatbotlogo "$@"
fi
mkdir -p out
shot="$PWD/out/tatbotlogo.png"
echo "run: no DISPLAY: rendering under Xvfb to $shot"
scripts/with_xvfb.sh "$exe" --scene=tatbotlogo --stroke=3 --pose=60 --screenshot "$shot" --frames 5 \
  --dump-state "$PWD/out/tatbotlogo-state.json" --timing "$@"
echo "run: screenshot: $shot"
echo "run: state:      $PWD/out/tatbotlogo-state.json"
