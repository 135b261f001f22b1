#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tools/dist.sh VERSION OUTDIR SITE - make dist (docs/packaging.md, "Releases").
#
# Writes, from the committed tree (HEAD, whatever the working tree holds):
#   OUTDIR/modelarts2mqtt-VERSION.tar.gz          the release tarball, one top-level directory
#                                                 modelarts2mqtt-VERSION/
#   OUTDIR/modelarts2mqtt-VERSION.tar.gz.sha256   its SHA-256, as sha256sum writes it
#   OUTDIR/modelarts2mqtt-VERSION-recipes/        packaging/'s Buildroot, Yocto and OpenWrt
#                                                 recipes, with the tarball's SHA-256 in place of
#                                                 @DIST_SHA256@ and SITE in place of the
#                                                 committed download location
#
# The same commit gives the same bytes: git archive writes the entries in git's order (sorted,
# a directory as its name with a slash), every time the commit's, owner and group 0 (root),
# modes 0644 and 0755; gzip -n leaves the file name and time out of its header.
set -eu

version=$1
out=$2
site=$3
name=modelarts2mqtt-$version
# The location the committed recipes name (packaging/): a release replaces it with SITE.
committed_site=https://example.invalid/modelarts2mqtt/releases

if ! commit=$(git rev-parse --verify -q HEAD 2>/dev/null); then
    echo "dist: needs the project's git checkout (the tarball is made of its last commit)" >&2
    exit 1
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
    echo "dist: uncommitted changes are left out: the tarball holds $(git rev-parse --short HEAD)" >&2
fi

mkdir -p "$out"
tarball=$out/$name.tar.gz
git -c tar.umask=0022 archive --format=tar --prefix="$name/" "$commit" | gzip -9 -n >"$tarball.tmp"
mv "$tarball.tmp" "$tarball"
sha=$(sha256sum "$tarball" | cut -d ' ' -f 1)
echo "$sha  $name.tar.gz" >"$tarball.sha256"

recipes=$out/$name-recipes
rm -rf "$recipes"
mkdir -p "$recipes"
git -c tar.umask=0022 archive --format=tar "$commit" packaging/buildroot packaging/yocto \
    packaging/openwrt | tar -x -C "$recipes" --strip-components=1
for f in "$recipes"/buildroot/modelarts2mqtt/modelarts2mqtt.mk \
    "$recipes"/buildroot/modelarts2mqtt/modelarts2mqtt.hash \
    "$recipes"/yocto/modelarts2mqtt_"$version".bb "$recipes"/openwrt/modelarts2mqtt/Makefile; do
    if [ ! -f "$f" ]; then
        echo "dist: packaging/${f#"$recipes"/} is not in the commit (VERSION is $version)" >&2
        exit 1
    fi
    sed -e "s|@DIST_SHA256@|$sha|g" -e "s|$committed_site|$site|g" "$f" >"$f.tmp"
    mv "$f.tmp" "$f"
done

echo "$tarball"
echo "$tarball.sha256: $sha"
echo "$recipes/: the Buildroot, Yocto and OpenWrt recipes for $site/$name.tar.gz"
