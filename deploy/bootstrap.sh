#!/usr/bin/env bash
# Create .venv (Python 3.11) and install the project into it.
# Idempotent: pip only runs when pyproject.toml changed since the last install.
# Usage: deploy/bootstrap.sh [--test]   (--test also installs the `test` extra)
# PHF_ASSUME_NO_APT=1 pretends we cannot use apt-get (for testing the messages).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "==> $*"; }
die() { echo "ERROR: $*" >&2; exit 1; }
can_apt() { [[ $(id -u) == 0 && -z ${PHF_ASSUME_NO_APT:-} ]] && command -v apt-get >/dev/null; }
is_py311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }

extra=""
case "${1:-}" in
    --test) extra="test" ;;
    "") ;;
    *) die "usage: $0 [--test]" ;;
esac

py=""
for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null && is_py311 "$cand"; then py=$cand; break; fi
done
[[ -n $py ]] || die "Python 3.11 is required but neither python3.11 nor python3 is version 3.11.
       Install it, e.g.: sudo apt-get install python3.11 python3.11-venv
       (Ubuntu releases without 3.11: add the deadsnakes PPA first)."

# A venv whose pip is missing (an earlier `venv` run failed half-way) or whose
# Python is not 3.11 is unusable: rebuild it rather than fail later in pip.
if [[ -e .venv ]] && ! { is_py311 .venv/bin/python && .venv/bin/python -c 'import pip' 2>/dev/null; }; then
    say "Existing .venv is broken or not Python 3.11; recreating it"
    rm -rf .venv
fi

if [[ ! -e .venv ]]; then
    say "Creating .venv with $py ($(command -v "$py"))"
    if ! "$py" -m venv .venv; then
        rm -rf .venv
        # Debian/Ubuntu ship ensurepip separately (python3.X-venv).
        can_apt || die "'$py -m venv' failed; install the venv module: sudo apt-get install python3.11-venv (or python3-venv)"
        say "Installing python3-venv with apt-get"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11-venv \
            || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
        "$py" -m venv .venv || { rm -rf .venv; die "'$py -m venv' still fails after installing python3-venv"; }
    fi
fi

hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
stamp=".venv/.installed-$hash${extra:+-$extra}"
# A "-test" install also satisfies a plain one.
if [[ -e $stamp || ( -z $extra && -e .venv/.installed-$hash-test ) ]]; then
    say "Dependencies up to date (pyproject.toml unchanged); skipping pip"
    exit 0
fi

target="."; [[ -n $extra ]] && target=".[$extra]"
say "Upgrading pip"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
say "Installing project: pip install -e '$target'"
# PYTHONWARNINGS silences setuptools' harmless "editable installation" banner.
PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q --disable-pip-version-check -e "$target"
# Forget stamps of older pyproject.toml versions, then record this one.
find .venv -maxdepth 1 -name '.installed-*' ! -name ".installed-$hash*" -delete
touch "$stamp"
say "Environment ready (.venv)"
