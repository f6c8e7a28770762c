#!/usr/bin/env bash
# Install the operating-system packages the test suite needs: a PostgreSQL server (store tests
# run on SQLite and PostgreSQL), LibreOffice Writer and CJK fonts (DOCX -> PDF letters),
# poppler-utils (pdftoppm/pdffonts checks), Debian's chromium for the browser tests. Runs as root on CI and developer machines; without
# root it only reports what is missing.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)  # ledger .xlsx -> PDF check
command -v pdffonts >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -q "Noto Serif CJK" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "AR PL UKai" || need+=(fonts-arphic-ukai)
[ -x /usr/bin/chromium ] || need+=(chromium)  # web console end-to-end tests (Playwright drives it)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing OS packages: ${need[*]} (run as root: apt-get install -y ${need[*]})" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
