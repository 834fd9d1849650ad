#!/usr/bin/env bash
# System tools the tests use: zbarimg (zbar-tools) reads label barcodes, pdftoppm/pdftotext
# (poppler-utils) render label PDFs. Installed with apt-get when missing and running as root;
# otherwise skipped quietly (the tests that need them skip themselves).
set -u
missing=()
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    exit 0
fi
echo "installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
        || echo "could not install ${missing[*]}; the tests that need them will skip" >&2
fi
exit 0
