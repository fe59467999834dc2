#!/usr/bin/env bash
# secondsight bench - installs Suricata 7 from Debian's bookworm-backports suite when
# it is missing (the reference peer for side-by-side figures).
set -euo pipefail
if command -v suricata >/dev/null && suricata -V 2>/dev/null | grep -q 'version 7'; then
    exit 0
fi
if ! apt-cache policy suricata 2>/dev/null | grep -q bookworm-backports; then
    mirror=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
    [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
    cat > /etc/apt/sources.list.d/bookworm-backports.sources <<SRC
Types: deb
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports suricata >/dev/null
suricata -V
