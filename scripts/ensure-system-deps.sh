#!/usr/bin/env bash
# System tools the tests use: zbarimg (zbar-tools) reads label barcodes, pdftoppm/pdftotext
# (poppler-utils) render label PDFs, libreoffice (libreoffice-calc-nogui) writes spreadsheets we
# did not write ourselves for the upload tests, chromium runs the console's browser tests (driven by
# Playwright through executable_path; no browser is ever downloaded) and fonts-wqy-microhei lets it
# draw Chinese in the README's screenshot. Installed with apt-get when missing and running as root;
# otherwise skipped quietly (the tests that need them skip themselves).
set -u
missing=()
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v libreoffice >/dev/null 2>&1 || command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    exit 0
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    timeout 120 apt-get update -qq >/dev/null 2>&1 || true
    timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
        || echo "could not install ${missing[*]}; the tests that need them will skip" >&2
fi
exit 0
