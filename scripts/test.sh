#!/usr/bin/env bash
# Install Tollgate with its dev extra into .venv, the Debian packages the tests use, and run the tests.
# Extra arguments go to pytest (e.g. bash scripts/test.sh -k drift).
source "$(dirname "$0")/setup.sh"
# desktop-file-utils and appstream: the packaging tests validate the .desktop entry and the AppStream metainfo with them
apt_ensure "${QT_DEBS[@]}" poppler-utils desktop-file-utils appstream
# PostgreSQL server binaries (initdb, pg_ctl, postgres) for the throw-away test cluster of
# tests/pg_server.py; Debian's package also creates the 'postgres' user it runs as under root.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_ensure postgresql
fi
setup_venv "[dev]"
export QT_QPA_PLATFORM=offscreen
# Tests that need a real server (PostgreSQL) fail instead of skipping when it is missing;
# set TOLLGATE_REQUIRE_SERVERS=0 to let them skip.
export TOLLGATE_REQUIRE_SERVERS="${TOLLGATE_REQUIRE_SERVERS:-1}"
mkdir -p test-artifacts
set +e
.venv/bin/python -m pytest "$@"
code=$?
[ $code -eq 5 ] && echo "pytest collected no tests" >&2
exit $code
