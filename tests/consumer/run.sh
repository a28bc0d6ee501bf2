#!/usr/bin/env bash
# Installs a built karrow into a temporary prefix, as a user would, and checks
# that C and C++ programs build against that prefix alone and work:
#   1. the installed headers compile with nothing but the prefix and the
#      standard library (and include nothing else);
#   2. tests/consumer builds with find_package(karrow) (CMAKE_PREFIX_PATH),
#      and again with plain cc/c++ command lines from pkg-config;
#   3. each of the four programs reads a fresh topic of known records on the
#      test broker, with LD_LIBRARY_PATH unset (libkarrow is found through
#      the RPATH), and prints exactly what topic.py says was produced.
# The prefix is deleted at the end.
#
# Usage: run.sh BUILD_DIR   (ctest: install_consumer_test), with
# KARROW_KAFKA_DIR naming the folder of a broker started by scripts/kafka.
set -euo pipefail

if (($# != 1)); then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
build_dir="$(cd "$1" && pwd)"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cmake="${CMAKE_COMMAND:-cmake}"
python="${KARROW_PYTHON:-python3}"
rows=1000
bootstrap="$(cat "${KARROW_KAFKA_DIR:?KARROW_KAFKA_DIR must name a running broker}/bootstrap")"
topic="karrow-consumer-$$-$RANDOM"

work="$(mktemp -d "${TMPDIR:-/tmp}/karrow-consumer.XXXXXX")"
cleanup() {
    "$python" "$here/topic.py" delete "$bootstrap" "$topic" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
# Also when ctest's timeout or ^C ends the test: exit, which runs cleanup.
trap 'exit 143' TERM INT

log() { printf 'consumer: %s\n' "$*"; }
fail() {
    printf 'consumer: FAIL: %s\n' "$*" >&2
    exit 1
}
# Runs a command with its output kept aside; shown only if it fails.
quiet() {
    local out="$work/quiet.log"
    if ! "$@" >"$out" 2>&1; then
        cat "$out" >&2
        fail "$*"
    fi
}

prefix="$work/prefix"
log "installing $build_dir into a temporary prefix"
quiet "$cmake" --install "$build_dir" --prefix "$prefix"
[[ -x "$prefix/bin/karrow" ]] || fail "bin/karrow not installed"
pc="$(find "$prefix" -name karrow.pc)"
[[ -n "$pc" ]] || fail "karrow.pc not installed"
export PKG_CONFIG_PATH="$(dirname "$pc")"
libdir="$(cd "$(pkg-config --variable=libdir karrow)" && pwd -P)"
[[ -L "$libdir/libkarrow.so" && -L "$libdir/libkarrow.so.0" ]] || fail "libkarrow.so symlinks missing"
soname="$(objdump -p "$libdir/libkarrow.so" | awk '$1 == "SONAME" {print $2}')"
[[ "$soname" == libkarrow.so.0 ]] || fail "SONAME is '$soname', not libkarrow.so.0"

log "checking the installed headers"
for h in "$prefix"/include/karrow/*.h; do
    # Only karrow headers that are installed, and standard ones (C++ headers
    # have no .h; the C API uses these two).
    while read -r inc; do
        case "$inc" in
            \"karrow/*\") [[ -f "$prefix/include/${inc//\"/}" ]] || fail "$h includes $inc, not installed" ;;
            \<stddef.h\> | \<stdint.h\>) ;;
            \<*.h\> | \"*) fail "$h includes $inc" ;;
        esac
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p' "$h")
done
headers_cc="$work/all_headers.cc"
for h in "$prefix"/include/karrow/*.h; do echo "#include <karrow/$(basename "$h")>"; done >"$headers_cc"
quiet c++ -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" "$headers_cc"
printf '#include <karrow/karrow.h>\n#include <karrow/version.h>\n' >"$work/c_headers.c"
quiet cc -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$prefix/include" "$work/c_headers.c"

log "building tests/consumer with find_package(karrow)"
quiet "$cmake" -S "$here" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix"
quiet "$cmake" --build "$work/build"

log "building tests/consumer with pkg-config"
# shellcheck disable=SC2046  # pkg-config's output is meant to be split
quiet cc -std=c11 -Wall -Wextra -Werror "$here/consumer.c" -o "$work/pc_consumer_c" \
    $(pkg-config --cflags --libs karrow) -Wl,-rpath,"$libdir"
# shellcheck disable=SC2046
quiet c++ -std=c++20 -Wall -Wextra -Werror "$here/consumer.cc" -o "$work/pc_consumer_cc" \
    $(pkg-config --cflags --libs karrow) -Wl,-rpath,"$libdir"

log "producing $rows records to $topic"
# The producer's client may log to either stream; the answer is the last line.
"$python" "$here/topic.py" make "$bootstrap" "$topic" "$rows" >"$work/topic.out" 2>&1 ||
    { cat "$work/topic.out" >&2; fail "producing failed"; }
expected="$(grep '^rows=' "$work/topic.out" | tail -n 1)"
[[ -n "$expected" ]] || { cat "$work/topic.out" >&2; fail "topic.py printed no expected line"; }
log "expecting: $expected"

unset LD_LIBRARY_PATH
for program in "$work/build/consumer_c" "$work/build/consumer_cc" \
    "$work/pc_consumer_c" "$work/pc_consumer_cc"; do
    name="${program#"$work/"}"
    # -m: "not found" must reach the message below, not stop the script.
    resolved="$(realpath -m "$(ldd "$program" | awk '$1 ~ /^libkarrow/ {print $3}')")"
    [[ "$resolved" == "$libdir"/* ]] || fail "$name loads libkarrow from '$resolved', not the prefix"
    want="$expected"
    [[ "$name" == *_cc ]] && want="$expected"$'\n'"exported: $expected"
    got="$("$program" "$bootstrap" "$topic")" || fail "$name exited with $?"
    if [[ "$got" != "$want" ]]; then
        printf 'consumer: %s printed:\n%s\nconsumer: expected:\n%s\n' "$name" "$got" "$want" >&2
        fail "$name read something else than was produced"
    fi
    log "$name: ok"
done
log "all consumers read exactly what was produced"
