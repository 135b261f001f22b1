#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tools/deps-check.sh CC CC_PACKAGE FLAGS ITEM...
#
# What a build needs and does not find, on one line ("jsmn.h (libjsmn-dev), ..."); nothing
# when everything is there. tools/deps-check.mk runs it before anything compiles.
#
# CC is the compiler command (with its options, as make passes it), CC_PACKAGE the package that
# provides it, FLAGS the preprocessor flags of the build. Each ITEM is WHAT=PACKAGE (or WHAT
# alone), where WHAT is
#   a header (jsmn.h, mbedtls/ssl.h)  looked up by the compiler, FLAGS applied, so that a
#                                     packager's sysroot and -I count (one preprocessor run);
#   a library (libinih.so, libssl.a)  in the compiler's library search path;
#   /a/file                           a file of the build machine;
#   command:NAME                      a program in PATH.
set -u

cc=$1
cc_package=$2
flags=$3
shift 3

missing=""
add()
{
    case $1 in
    *=*) missing="$missing${missing:+, }${1%%=*} (${1#*=})" ;;
    *) missing="$missing${missing:+, }$1" ;;
    esac
}

cc_program=${cc%% *}
if ! command -v "$cc_program" >/dev/null 2>&1; then
    add "$cc_program=$cc_package"
    echo "$missing"
    exit 0
fi

# Headers become one source file: "#if !__has_include(<h>)" prints the item's number, so that
# no package name goes through the preprocessor's macros.
src=""
n=0
for item; do
    n=$((n + 1))
    what=${item%%=*}
    case $what in
    command:*)
        command -v "${what#command:}" >/dev/null 2>&1 || add "${item#command:}"
        ;;
    /*)
        [ -e "$what" ] || add "$item"
        ;;
    lib*.so | lib*.a)
        # shellcheck disable=SC2086 # CC and FLAGS are command lines
        [ "$($cc $flags -print-file-name="$what" 2>/dev/null)" != "$what" ] || add "$item"
        ;;
    *)
        src="$src#if defined(__has_include) && !__has_include(<$what>)
m2m_missing $n
#endif
"
        ;;
    esac
done

if [ -n "$src" ]; then
    # shellcheck disable=SC2086 # CC and FLAGS are command lines
    for k in $(printf '%s' "$src" | $cc $flags -E -P -x c - 2>/dev/null |
        sed -n 's/^m2m_missing //p'); do
        n=0
        for item; do
            n=$((n + 1))
            [ "$n" = "$k" ] && add "$item"
        done
    done
fi
echo "$missing"
