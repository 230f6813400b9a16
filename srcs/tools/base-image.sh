#!/usr/bin/env bash
# Builds debian:bookworm from Debian's archive and imports it into the engine, for machines
# with no container registry (DESIGN.md decision 1). Minbase, without docs, man pages,
# locales or apt lists, so the base stays small; later `apt-get install` in our Dockerfiles
# keeps skipping docs through the dpkg path-exclude file written here.
set -euo pipefail

tag=${1:-debian:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

if ! command -v mmdebstrap >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "base: installing mmdebstrap (needed once to build $tag from Debian's archive)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/dev/null
  else
    echo "error: $tag is not available locally, cannot be pulled, and mmdebstrap is missing." >&2
    echo "fix: install mmdebstrap (apt-get install mmdebstrap) and run make again." >&2
    exit 1
  fi
fi

excludes='path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
path-exclude=/usr/share/linda/*'

echo "base: building $tag from $mirror (minbase, slimmed); this takes a few minutes once"
# mmdebstrap writes the root filesystem as a tar stream straight into `docker import`.
mmdebstrap --variant=minbase --mode=root --format=tar \
  --aptopt='Acquire::Languages "none"' \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt="$excludes" \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old' \
  --customize-hook='find "$1"/usr/share/doc -mindepth 1 ! -name copyright ! -type d -delete; find "$1"/usr/share/doc -empty -type d -delete' \
  --customize-hook='rm -rf "$1"/usr/share/man/* "$1"/usr/share/info/* "$1"/usr/share/locale/*' \
  bookworm - \
  "deb $mirror bookworm main" \
  "deb $mirror bookworm-updates main" \
  "deb $security bookworm-security main" \
  | docker import \
      --change 'CMD ["bash"]' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --message "debian:bookworm minbase built locally by mmdebstrap" \
      - "$tag" >/dev/null
docker image ls "$tag"
