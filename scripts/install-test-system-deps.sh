#!/usr/bin/env bash
# Installs the Debian packages the dashboard (`run`) or the test suite (`test`) needs, when missing
# and when we may (root or sudo). `run`: Chromium and the Lao font for charts made on the server
# (kaleido) and Pango for the mission report PDF (WeasyPrint). `test` adds what the tests read with.
set -euo pipefail
mode="${1:-test}"
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/noto/NotoSansLao-Regular.ttf ] || need+=(fonts-noto-core)
/sbin/ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "$mode" = test ]; then
  # pdftotext/pdftoppm: the mission-report tests read the PDF's text back
  command -v pdftotext >/dev/null || need+=(poppler-utils)
fi
if [ "$mode" = test ] && [ -d /etc/postgresql ]; then
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
  echo "Missing Debian packages: ${need[*]} (run 'sudo apt-get install -y ${need[*]}'); without them the mission report and chart images fail with a message, and the tests needing them skip." >&2
  exit 0
fi
echo "Installing Debian packages for the tests: ${need[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
