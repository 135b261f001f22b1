#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# boards/mps2-an386/fetch-sources.sh DEST PACKAGE...
#
# Unpacks Debian's source package of each PACKAGE (apt-get source, Debian's
# patches applied) into DEST/PACKAGE, a name that does not change with the
# Debian version; DEST/PACKAGE/.debian-version records which one it is.
# The firmware builds lwIP and mbedTLS from there: nothing third-party is
# kept in the repository.
#
# apt-get source needs a deb-src entry. When no enabled one exists, one is
# added for each Debian archive entry already configured (the same mirror,
# suites, components and key), in the format of the file it came from
# (one-line .list or deb822 .sources), and this is said on stdout.
#
# Quick and offline when every package is already unpacked: delete
# DEST/PACKAGE to fetch it again (after a Debian update, for instance).
set -eu

dest=$1
shift

missing=""
for p in "$@"; do
    [ -f "$dest/$p/.debian-version" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

# apt reads these files; anything else in sources.list.d (*.disabled, ...) it ignores.
apt_files()
{
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && echo "$f"
    done
    return 0
}

# deb822 stanzas (blank-line separated) as awk records: prints, for each
# enabled one, its Types value, then a tab, then its URIs value, then a tab,
# then its URIs, Suites, Components and Signed-By fields as written
# (continuation lines included), with "\n" for the line breaks.
# shellcheck disable=SC2016 # an awk program: its $ are awk's
STANZAS='BEGIN { RS = ""; FS = "\n" }
    {
        types = ""; uris = ""; keep = ""; enabled = 1; kept = 0
        for (i = 1; i <= NF; i++) {
            line = $i
            if (line ~ /^#/) continue
            if (line ~ /^[ \t]/) { if (kept) keep = keep "\\n" line; continue }
            key = tolower(substr(line, 1, index(line, ":") - 1))
            value = substr(line, index(line, ":") + 1)
            kept = (key == "uris" || key == "suites" || key == "components" || key == "signed-by")
            if (kept) keep = keep (keep == "" ? "" : "\\n") line
            if (key == "types") types = value
            if (key == "uris") uris = value
            if (key == "enabled" && value ~ /^[ \t]*no/) enabled = 0
        }
        if (enabled) printf "%s\t%s\t%s\n", types, uris, keep
    }'

# Prints the files holding an enabled deb-src entry.
deb_src_files()
{
    for f in $(apt_files); do
        case $f in
        *.sources)
            awk "$STANZAS" "$f" | cut -f1 | grep -qw 'deb-src' && echo "$f"
            ;;
        *)
            grep -qE '^[[:space:]]*deb-src[[:space:]]' "$f" && echo "$f"
            ;;
        esac
    done
    return 0
}

# A Debian archive's URI ends in /debian or /debian-security (deb.debian.org, a
# national mirror), or is a snapshot of one (snapshot.debian.org/archive/debian/DATE).
DEBIAN_URI='/debian(-security)?(/[0-9]+T[0-9]+Z)?/?$'

# The deb-src twin of every Debian archive entry of one file, on stdout.
deb_src_for()
{
    case $1 in
    *.sources)
        awk "$STANZAS" "$1" | awk -F '\t' -v uri_re="$DEBIAN_URI" '
            {
                n = split($1, t, /[ \t]+/)
                deb = 0
                for (i = 1; i <= n; i++) if (t[i] == "deb") deb = 1
                n = split($2, u, /[ \t]+/)
                debian = 0
                for (i = 1; i <= n; i++) if (u[i] ~ uri_re) debian = 1
                if (deb && debian) {
                    gsub(/\\n/, "\n", $3)
                    printf "Types: deb-src\n%s\n\n", $3
                }
            }'
        ;;
    *)
        awk -v uri_re="$DEBIAN_URI" '
            $1 == "deb" {
                uri = ""
                for (i = 2; i <= NF && uri == ""; i++)
                    if ($i !~ /^\[/ && $i !~ /\]$/ && $i !~ /=/) uri = $i
                if (uri ~ uri_re) { sub(/^[ \t]*deb/, "deb-src"); print }
            }' "$1"
        ;;
    esac
}

if [ -z "$(deb_src_files)" ]; then
    added=""
    for f in $(apt_files); do
        entries=$(deb_src_for "$f")
        [ -n "$entries" ] || continue
        case $f in
        *.sources) out=/etc/apt/sources.list.d/m2m-deb-src.sources ;;
        *) out=/etc/apt/sources.list.d/m2m-deb-src.list ;;
        esac
        # The blank line ends the last deb822 stanza before another file's are appended.
        printf '# deb-src entries for apt-get source (boards/mps2-an386/fetch-sources.sh),\n# from %s\n%s\n\n' \
            "$f" "$entries" | $SUDO tee -a "$out" >/dev/null
        echo "fetch-sources: no deb-src entry in /etc/apt; added one in $out for:"
        echo "$entries" | grep -iE '^(deb-src|URIs|Suites)' | sed 's/^/    /'
        added=1
    done
    if [ -z "$added" ]; then
        echo "fetch-sources: no Debian archive among the apt sources to add a deb-src entry for" >&2
        exit 1
    fi
    $SUDO apt-get update -qq || echo "fetch-sources: apt-get update reported errors; using the indexes it has"
fi

# As root, apt's download user (_apt) may not reach DEST: download as root
# instead of warning about it.
APT_SOURCE="apt-get source -qq"
[ "$(id -u)" -eq 0 ] && APT_SOURCE="$APT_SOURCE -o APT::Sandbox::User=root"

mkdir -p "$dest"
for p in $missing; do
    tmp="$dest/.fetch-$p"
    rm -rf "$tmp" "${dest:?}/$p"
    mkdir -p "$tmp"
    echo "fetch-sources: apt-get source $p"
    # Indexes older than the deb-src entry know no sources yet: refresh once.
    if ! (cd "$tmp" && $APT_SOURCE "$p" >/dev/null); then
        $SUDO apt-get update -qq || true
        (cd "$tmp" && $APT_SOURCE "$p" >/dev/null)
    fi
    dsc=$(ls "$tmp"/*.dsc)
    version=$(sed -n 's/^Version: //p' "$dsc")
    dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d)
    mv "$dir" "$dest/$p"
    echo "$version" >"$dest/$p/.debian-version"
    rm -rf "$tmp"
    echo "fetch-sources: $p $version in $dest/$p"
done
