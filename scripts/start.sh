#!/usr/bin/env bash
# Install Tollgate into .venv, build the demo workspace, and open the console.
# Usage: bash scripts/start.sh [--workspace PATH]   (default: the workspace in your user data folder)
source "$(dirname "$0")/setup.sh"
apt_ensure "${QT_DEBS[@]}"
setup_venv ""
ws_args=()
if [ "${1:-}" = "--workspace" ] && [ -n "${2:-}" ]; then ws_args=(--workspace "$2"); fi
.venv/bin/tollgate "${ws_args[@]}" demo
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = "Linux" ]; then
  shot="$PWD/tollgate-main-window.png"
  QT_QPA_PLATFORM=offscreen .venv/bin/tollgate "${ws_args[@]}" gui --screenshot "$shot"
  echo "No display here (DISPLAY and WAYLAND_DISPLAY are unset), so the console was opened off-screen and"
  echo "its main window saved to $shot. On a desktop session, run: .venv/bin/tollgate"
  exit 0
fi
exec .venv/bin/tollgate "${ws_args[@]}"
