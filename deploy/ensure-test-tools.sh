#!/usr/bin/env bash
# What the tests use beside Python: Debian's Chromium at /usr/bin/chromium and a font with
# Chinese glyphs for the browser tests (else the screenshots show empty boxes),
# docker-compose to validate deploy/docker-compose.yml (no engine needed), and pgBackRest
# for the restore drill on PostgreSQL. apt when root.
set -euo pipefail
say() { printf '==> %s\n' "$*"; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-wqy-zenhei)
fi
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v pgbackrest >/dev/null || missing+=(pgbackrest)
[ ${#missing[@]} -eq 0 ] && {
  say "test tools: chromium, Chinese fonts, docker-compose, pgbackrest present"; exit 0; }

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -z "${PHF_ASSUME_NO_APT:-}" ]; then
  say "installing ${missing[*]} with apt"
  apt-get update -qq || true  # a stale index still often installs; the install says if not
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
cat >&2 <<MSG
!! The tests need: ${missing[*]}
   Install them with:  sudo apt-get install -y ${missing[*]}
MSG
exit 1
