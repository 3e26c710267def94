#!/bin/sh
# Rebuilds the eBPF objects of src/main/bpf and compares them byte for byte with the committed
# ones in src/main/resources/io/aem/kernel/.
#
#   kernel/rebuild.sh            build into target/bpf, compare, exit 1 on any difference
#   kernel/rebuild.sh --update   build and replace the committed objects
#   kernel/rebuild.sh --vmlinux  regenerate the pinned src/main/bpf/vmlinux.h from this kernel's BTF
#
# Tools: Debian 12's clang (14), llvm (llvm-strip), libbpf-dev (bpf/*.h) and bpftool (only for
# --vmlinux). Missing ones are installed with apt-get when running as root. Another compiler
# version gives other bytes: the committed objects were built with Debian 12's clang 14.
# The build uses relative paths and -fdebug-prefix-map, so any checkout directory gives the same
# bytes.
set -eu

cd "$(dirname "$0")"
SRC=src/main/bpf
OUT=src/main/resources/io/aem/kernel
BUILD=target/bpf
PROGRAMS="aem_exits aem_locks aem_attrs"
# Test objects: built from src/test/bpf, kept with the loader's tests in aem-native.
TEST_SRC=src/test/bpf
TEST_OUT=../aem-native/src/test/resources/io/aem/kernel/test
TEST_PROGRAMS="aem_fallback aem_refused aem_twin"
MODE=${1:-check}

missing=""
command -v clang >/dev/null 2>&1 || missing="$missing clang"
command -v llvm-strip >/dev/null 2>&1 || missing="$missing llvm"
[ -f /usr/include/bpf/bpf_helpers.h ] || missing="$missing libbpf-dev"
if [ "$MODE" = "--vmlinux" ]; then
    command -v bpftool >/dev/null 2>&1 || missing="$missing bpftool"
fi
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "kernel/rebuild.sh: missing Debian packages:$missing; install them as root (apt-get install$missing)" >&2
        echo "  or skip this check with -DskipKernelRebuild" >&2
        exit 2
    fi
    echo "kernel/rebuild.sh: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q $missing >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null; }
fi

if [ "$MODE" = "--vmlinux" ]; then
    [ -r /sys/kernel/btf/vmlinux ] || { echo "kernel/rebuild.sh: /sys/kernel/btf/vmlinux is missing (kernel without CONFIG_DEBUG_INFO_BTF)" >&2; exit 2; }
    bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$SRC/vmlinux.h"
    echo "kernel/rebuild.sh: wrote $SRC/vmlinux.h"
    exit 0
fi

mkdir -p "$BUILD"
here=$(pwd)
# Compiles from inside the source folder with relative names, so no checkout path enters the object.
build() { # folder program
    (cd "$1" && clang -target bpf -D__TARGET_ARCH_x86 -O2 -g -Wall -Werror \
        -fdebug-prefix-map="$here/$1"=. -fdebug-compilation-dir=. \
        -c "$2.bpf.c" -o "$here/$BUILD/$2.bpf.o")
    llvm-strip -g "$BUILD/$2.bpf.o"
}
for p in $PROGRAMS; do build "$SRC" "$p"; done
for p in $TEST_PROGRAMS; do build "$TEST_SRC" "$p"; done

case "$MODE" in
--update)
    mkdir -p "$OUT"
    for p in $PROGRAMS; do cp "$BUILD/$p.bpf.o" "$OUT/$p.bpf.o"; done
    mkdir -p "$TEST_OUT"
    for p in $TEST_PROGRAMS; do cp "$BUILD/$p.bpf.o" "$TEST_OUT/$p.bpf.o"; done
    echo "kernel/rebuild.sh: updated $OUT and $TEST_OUT"
    ;;
check)
    status=0
    for p in $PROGRAMS; do
        if ! cmp -s "$BUILD/$p.bpf.o" "$OUT/$p.bpf.o"; then
            echo "kernel/rebuild.sh: $OUT/$p.bpf.o differs from a rebuild of $SRC/$p.bpf.c ($(clang --version | head -n 1)); run kernel/rebuild.sh --update and commit" >&2
            status=1
        fi
    done
    for p in $TEST_PROGRAMS; do
        if ! cmp -s "$BUILD/$p.bpf.o" "$TEST_OUT/$p.bpf.o"; then
            echo "kernel/rebuild.sh: $TEST_OUT/$p.bpf.o differs from a rebuild of $TEST_SRC/$p.bpf.c; run kernel/rebuild.sh --update and commit" >&2
            status=1
        fi
    done
    [ $status -eq 0 ] && echo "kernel/rebuild.sh: $PROGRAMS $TEST_PROGRAMS match their sources"
    exit $status
    ;;
*)
    echo "usage: kernel/rebuild.sh [--update|--vmlinux]" >&2
    exit 2
    ;;
esac
