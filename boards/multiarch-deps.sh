#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# boards/multiarch-deps.sh ARCH LIB_PACKAGES -- HOST_PACKAGES
#
# Installs what a cross-compiled Linux board needs with Debian multiarch:
# HOST_PACKAGES (the cross compiler, qemu-user) for the build machine and
# LIB_PACKAGES (the -dev packages) for ARCH, e.g. libmbedtls-dev:arm64.
#
# Multi-Arch: same packages must have the same version on every architecture.
# When the build machine holds a version the archive no longer has for ARCH
# (a security update mirrored for amd64 only, or an older image), the plain
# install fails as "held broken packages". So every Multi-Arch: same package
# of the ARCH dependency closure that is also installed for the build machine
# is pinned: to the installed version when ARCH has it, otherwise to the
# newest version both architectures have (the build machine's copy moves to
# that version too).
#
# Does nothing, without touching the network, when everything is installed.
set -eu

arch=$1
shift
libs=""
hostpkgs=""
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    libs="$libs $1:$arch"
    shift
done
[ $# -gt 0 ] && shift
hostpkgs="$*"

native=$(dpkg --print-architecture)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

installed()
{
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=""
for p in $hostpkgs $libs; do
    installed "$p" || missing="$missing $p"
done
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    echo "multiarch: adding architecture $arch"
    $SUDO dpkg --add-architecture "$arch"
    missing="${missing:- (architecture only)}"
fi
[ -z "$missing" ] && exit 0

echo "installing for $arch:$missing"
# A mirror that is part-way through a sync can fail one index (often the
# security suite of a foreign architecture); what was fetched still serves.
$SUDO apt-get update -qq || echo "multiarch: apt-get update reported errors; using the indexes it has"

closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances $libs 2>/dev/null | grep -v '^ ' | grep -v '^<' |
    sort -u)

pins=""
for q in $closure; do
    name=${q%:*}
    apt-cache show "$q" 2>/dev/null | grep -q '^Multi-Arch: same' || continue
    have=$(dpkg-query -W -f='${Status} ${Version}' "$name:$native" 2>/dev/null |
        sed -n 's/^install ok installed //p')
    [ -n "$have" ] || continue
    foreign=$(apt-cache madison "$q" | awk -F'|' '{gsub(/ /, "", $2); print $2}')
    if printf '%s\n' "$foreign" | grep -qxF "$have"; then
        pins="$pins $q=$have"
        continue
    fi
    ours=$(apt-cache madison "$name:$native" | awk -F'|' '{gsub(/ /, "", $2); print $2}')
    common=$(printf '%s\n' "$foreign" | grep -xF "$ours" | sort -V | tail -n 1 || true)
    if [ -z "$common" ]; then
        echo "multiarch: $name $have ($native) has no matching version for $arch" >&2
        exit 1
    fi
    echo "multiarch: $name $have ($native) is not in the $arch archive; both move to $common"
    pins="$pins $name:$native=$common $q=$common"
done

# shellcheck disable=SC2086 # word splitting of the package lists is wanted
$SUDO apt-get install -y -qq --no-install-recommends --allow-downgrades $hostpkgs $libs $pins
