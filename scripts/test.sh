#!/usr/bin/env bash
# Install Tollgate with its dev extra into .venv, the Debian packages the tests use, and run the tests.
# Extra arguments go to pytest (e.g. bash scripts/test.sh -k drift).
source "$(dirname "$0")/setup.sh"
apt_ensure "${QT_DEBS[@]}" poppler-utils
setup_venv "[dev]"
export QT_QPA_PLATFORM=offscreen
mkdir -p test-artifacts
set +e
.venv/bin/python -m pytest "$@"
code=$?
[ $code -eq 5 ] && echo "pytest collected no tests" >&2
exit $code
