#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Builds the test guest: a Linux kernel with GPIO_SIM, GPIO_VIRTIO and 9p, and an
# initramfs with busybox and the gpiod tools. Installs nothing: it names the
# missing tools and their Debian packages (see apt-packages.txt) and stops.
#
# Results are cached outside the checkout, in ${VGPIO_CACHE:-$HOME/.cache/vgpio},
# keyed by a hash of their inputs (config fragments, recipe, package versions),
# so a second run is instant. Concurrent runs wait for each other (flock).
#
# On success prints, on stdout and nothing else:
#   VGPIO_KERNEL=<path to bzImage>
#   VGPIO_INITRAMFS=<path to initramfs.gz>
# Progress and build logs go to stderr and to <cache>/*.log.
#
# Usage: build-guest.sh [--check]    (--check: only check the build tools, build nothing)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${VGPIO_CACHE:-$HOME/.cache/vgpio}
linux_tarball=/usr/src/linux-source-6.1.tar.xz

log() { echo "build-guest: $*" >&2; }

check_tools() {
    local missing=() tool package
    # tool-or-file:package
    for pair in make:make gcc:gcc ld:binutils bc:bc flex:flex bison:bison perl:perl \
            cpio:cpio gzip:gzip xz:xz-utils flock:util-linux sha256sum:coreutils \
            ldd:libc-bin dpkg-query:dpkg \
            /usr/include/libelf.h:libelf-dev /usr/include/openssl/ssl.h:libssl-dev \
            "$linux_tarball":linux-source-6.1 /bin/busybox:busybox-static \
            /usr/bin/gpiodetect:gpiod; do
        tool=${pair%%:*} package=${pair#*:}
        if [[ $tool == /* ]]; then [[ -e $tool ]] && continue
        else command -v "$tool" >/dev/null && continue; fi
        missing+=("$tool (Debian package $package)")
    done
    # busybox must be the static one: the initramfs has no libraries for it.
    if [[ -e /bin/busybox ]] && ldd /bin/busybox >/dev/null 2>&1; then
        missing+=("a static /bin/busybox (Debian package busybox-static)")
    fi
    if ((${#missing[@]})); then
        log "missing tools, install them first (all packages: $here/apt-packages.txt):"
        printf '  %s\n' "${missing[@]}" >&2
        exit 2
    fi
}

package_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo unknown; }

# The kernel recipe. Its own text is part of the cache key (declare -f), so any
# change to it rebuilds; a change to the initramfs part below does not.
build_kernel() {
    local out=$1 work=$2
    rm -rf "$work" && mkdir -p "$work"
    tar -C "$work" -xf "$linux_tarball"
    cd "$work"/linux-source-6.1
    make -s x86_64_defconfig
    make -s kvm_guest.config
    scripts/kconfig/merge_config.sh -m .config "$here/kernel-gpio.config" "$here/kernel-slim.config" >/dev/null
    make -s olddefconfig
    # merge_config only warns when Kconfig drops a wanted option: fail instead.
    local wanted
    while read -r wanted; do
        case $wanted in CONFIG_*=y) grep -qx "$wanted" .config || { log "kernel .config lacks $wanted"; return 1; } ;; esac
    done <"$here/kernel-gpio.config"
    nice -n 10 make -j"$(nproc)" bzImage
    cp arch/x86/boot/bzImage "$out.tmp" && cp .config "$out.config" && mv "$out.tmp" "$out"
    cd / && rm -rf "$work"
}

build_initramfs() {
    local out=$1 root
    root=$(mktemp -d)
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,host,out}
    cp /bin/busybox "$root/bin/busybox"
    local applet
    for applet in $(/bin/busybox --list); do
        [[ -e $root/bin/$applet ]] || ln -s busybox "$root/bin/$applet"
    done
    local tool lib
    for tool in gpiodetect gpioinfo gpioget gpioset gpiomon gpiofind; do
        cp "/usr/bin/$tool" "$root/usr/bin/$tool"
        for lib in $(ldd "/usr/bin/$tool" | grep -o '/[^ ]*'); do
            mkdir -p "$root$(dirname "$lib")"
            cp -L "$lib" "$root$lib"
        done
    done
    cp "$here/init" "$root/init" && chmod 755 "$root/init"
    (cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -9 >"$out.tmp"
    mv "$out.tmp" "$out"
    rm -rf "$root"
}

# Runs "$@" under an exclusive lock unless $out already exists.
cached() {
    local out=$1 what=$2; shift 2
    [[ -e $out ]] && return 0
    exec 9>"$out.lock"
    flock 9
    if [[ ! -e $out ]]; then
        local start=$SECONDS
        log "building $what into $out (log: $out.log)"
        if ! ("$@") >"$out.log" 2>&1; then
            log "building $what failed; last lines of $out.log:"
            tail -n 40 "$out.log" >&2
            exit 1
        fi
        log "built $what in $((SECONDS - start)) s"
    fi
    exec 9>&-
}

if [[ ${1:-} == --check ]]; then
    check_tools
    exit 0
fi
mkdir -p "$cache"

kernel_key=$( { declare -f build_kernel; cat "$here/kernel-gpio.config" "$here/kernel-slim.config";
    package_version linux-source-6.1; package_version gcc; } | sha256sum | cut -c1-16)
initramfs_key=$( { declare -f build_initramfs; cat "$here/init";
    package_version busybox-static; package_version gpiod; package_version libc6; } | sha256sum | cut -c1-16)
kernel=$cache/bzImage-$kernel_key
initramfs=$cache/initramfs-$initramfs_key.gz

# The tools are needed only to build: a cached guest is used as it is.
[[ -e $kernel && -e $initramfs ]] || check_tools
cached "$initramfs" "the initramfs" build_initramfs "$initramfs"
cached "$kernel" "the kernel (about 20 minutes on 2 busy cores)" build_kernel "$kernel" "$cache/build-$kernel_key"

echo "VGPIO_KERNEL=$kernel"
echo "VGPIO_INITRAMFS=$initramfs"
