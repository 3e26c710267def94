#!/bin/sh
# Installs Debian's chromium and chromium-driver for the dashboard's browser test when
# /usr/bin/chromium or /usr/bin/chromedriver is missing. Needs root (apt-get); exits 0 when both
# are present already, non-zero when they are missing and cannot be installed.
set -eu
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-chromium.sh: chromium is missing and installing it needs root" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
started=$(date +%s)
apt-get update -q >/dev/null || true
apt-get install -y -q --no-install-recommends chromium chromium-driver
echo "install-chromium.sh: chromium and chromium-driver installed in $(( $(date +%s) - started )) s"
