#!/usr/bin/env bash
# Install Debian's headless browser for the monthly report's browser test: chromium, its WebDriver
# (chromium-driver) and a CJK font (fonts-noto-cjk). Skips the install when they are present;
# prints nothing on stdout. Without root, or should apt fail, the browser test skips with a reason.
# Usage: bash .ci/browser.sh
set -uo pipefail
have() { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1 \
  && fc-list 2>/dev/null | grep -qi "noto sans cjk"; }
if have; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "chromium, chromium-driver and fonts-noto-cjk are not installed; run as root or: sudo apt-get install chromium chromium-driver fonts-noto-cjk" >&2
  exit 1
fi
apt-get update -qq >&2 || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk >&2
have
