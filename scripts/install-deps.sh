#!/usr/bin/env bash
# Installs the Debian packages Tandem builds and tests with. Idempotent: packages
# already present are skipped, so `make` can call it on every run cheaply.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost1.81-dev          # Beast / Asio (HTTP server, test clients)
  libsimdjson-dev           # parsing on the ingest path
  nlohmann-json3-dev        # building JSON
  libtomlplusplus-dev       # tandem.toml
  libcli11-dev              # command line
  libspdlog-dev libfmt-dev  # logging
  libsqlite3-dev sqlite3    # embedded store (sqlite3 CLI for operators and tests)
  libpq-dev postgresql      # PostgreSQL store (the server for the tests' throw-away cluster)
  libsodium-dev             # write keys, tokens
  libcsv-dev                # reading CSV imports
  zlib1g-dev                # gzip request bodies
  libcurl4-openssl-dev      # webhook delivery
  libgumbo-dev              # reading email HTML (the pre-send check)
  libstb-dev                # image sizes (a logo shown at other proportions)
  libgmime-3.0-dev          # building (and reading) MIME messages
  libkainjow-mustache-dev   # email templates
  python3-aiosmtpd          # the SMTP server the tests deliver to
  dovecot-imapd             # the IMAP server the inbound mail tests read from
  libhowardhinnant-date-dev tzdata  # time zones: quiet hours, business-hours SLAs
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format
  clang libfuzzer-14-dev    # fuzz targets (make fuzz)
  chromium                  # browser tests (driven by playwright-core)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
    exit 2
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
