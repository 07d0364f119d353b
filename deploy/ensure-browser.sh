#!/usr/bin/env bash
# For the browser tests: Debian's Chromium at /usr/bin/chromium and a font with Chinese
# glyphs (else the screenshots show empty boxes). Installs them with apt when root.
set -euo pipefail
say() { printf '==> %s\n' "$*"; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-wqy-zenhei)
fi
[ ${#missing[@]} -eq 0 ] && { say "browser: chromium and Chinese fonts present"; exit 0; }

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -z "${PHF_ASSUME_NO_APT:-}" ]; then
  say "installing ${missing[*]} with apt"
  apt-get update -qq || true  # a stale index still often installs; the install says if not
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
cat >&2 <<MSG
!! The browser tests need: ${missing[*]}
   Install them with:  sudo apt-get install -y ${missing[*]}
MSG
exit 1
