#!/usr/bin/env bash
# Test setup: makes sure headless Chromium and its WebDriver are installed for the status page's
# browser test (StatusPageBrowserTest). Run by Maven before the gateway's tests (exec-maven-plugin in
# gateway/pom.xml); does nothing when both are already there. Debian/Ubuntu: apt-get, as root or
# with passwordless sudo. Anything else: install chromium and chromedriver yourself.
set -euo pipefail

have() { command -v "$1" > /dev/null 2>&1; }

if have chromium && have chromedriver; then
  exit 0
fi
if ! have apt-get; then
  echo "install-browser: chromium and chromedriver are missing and apt-get is not available;" \
       "install them (the status page's browser test needs both)" >&2
  exit 1
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if have sudo && sudo -n true 2> /dev/null; then
    SUDO="sudo -n"
  else
    echo "install-browser: chromium and chromedriver are missing; run as root, or:" \
         "apt-get install -y chromium chromium-driver" >&2
    exit 1
  fi
fi
echo "install-browser: installing chromium and chromium-driver (apt-get) for the browser test" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver > /dev/null; then
  $SUDO apt-get update -q > /dev/null
  $SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver > /dev/null
fi
have chromium && have chromedriver
