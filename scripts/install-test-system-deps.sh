#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, when missing and when we may (root or sudo).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/noto/NotoSansLao-Regular.ttf ] || need+=(fonts-noto-core)
# pdftotext/pdftoppm: the mission-report tests read the PDF's text back
command -v pdftotext >/dev/null || need+=(poppler-utils)
if [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    [ -f "/usr/share/postgresql/$version/extension/postgis.control" ] || need+=("postgresql-$version-postgis-3")
  done
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "Missing Debian packages: ${need[*]} (run 'sudo apt-get install -y ${need[*]}'); the tests needing them will skip." >&2
  exit 0
fi
echo "Installing Debian packages for the tests: ${need[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
