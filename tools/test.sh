#!/usr/bin/env bash
# Set up a fresh machine and run the test suite: README's test command.
# Creates .venv, installs wmireach with its test extra, installs the SDK headers the table tests
# read (Debian's mingw-w64-common, when this machine can install Debian packages), and runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f /usr/share/mingw-w64/include/winerror.h ] && command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then sudo_cmd=(); elif command -v sudo >/dev/null; then sudo_cmd=(sudo -n); else sudo_cmd=(false); fi
  { "${sudo_cmd[@]}" apt-get install -y -q mingw-w64-common >/dev/null 2>&1 \
    || { "${sudo_cmd[@]}" apt-get update -q >/dev/null 2>&1 \
         && "${sudo_cmd[@]}" apt-get install -y -q mingw-w64-common >/dev/null 2>&1; }; } \
    || echo "test.sh: could not install mingw-w64-common; the table tests will be skipped" >&2
fi

# The probe's tests build network namespaces with ip and nftables (they skip, saying why, when
# this machine cannot).
if { ! command -v nft >/dev/null || ! command -v ip >/dev/null; } && command -v apt-get >/dev/null \
    && [ "$(id -u)" = 0 ]; then
  { apt-get install -y -q nftables iproute2 >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q nftables iproute2 >/dev/null 2>&1; }; } \
    || echo "test.sh: could not install nftables/iproute2; the namespace tests will be skipped" >&2
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest "$@"
