#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Fetches QEMU 10.0 from Debian 12's bookworm-backports suite and unpacks it into
# a private directory, without installing anything or touching the system's apt
# state: the stock QEMU 7.2 never offers VIRTIO_GPIO_F_IRQ to the guest, 10.0 does.
#
# The suite is added privately: the machine's own Debian apt source entry (the one
# carrying the "bookworm" suite) is copied with the suite changed, and apt-get runs
# with its source list, package lists and download cache under the cache directory.
#
# The result is cached outside the checkout, in ${VGPIO_CACHE:-$HOME/.cache/vgpio}/qemu10;
# a second run is instant. Concurrent runs wait for each other (flock).
#
# On success prints, on stdout and nothing else:
#   VGPIO_QEMU10=<path to qemu-system-x86_64>
#   VGPIO_QEMU10_FIRMWARE=<directory for qemu's -L option>
# Progress goes to stderr. Run it as: "$VGPIO_QEMU10" -L "$VGPIO_QEMU10_FIRMWARE" ...
set -euo pipefail

cache=${VGPIO_CACHE:-$HOME/.cache/vgpio}
dir=$cache/qemu10
root=$dir/root
qemu=$root/usr/bin/qemu-system-x86_64
packages=(qemu-system-x86 qemu-system-common qemu-system-data)

log() { echo "fetch-qemu10: $*" >&2; }

# The deb822 paragraph of the machine's Debian source that carries the suite
# "bookworm", with that suite line replaced by bookworm-backports.
backports_source() {
    local file
    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -e $file ]] || continue
        awk 'BEGIN { RS = ""; ORS = "\n\n" }
             /(^|\n)Suites:([^\n]* )?bookworm( |\n|$)/ && /(^|\n)URIs:[^\n]*debian/ {
                 out = ""
                 n = split($0, lines, "\n")
                 for (i = 1; i <= n; i++) {
                     if (lines[i] ~ /^#/) continue
                     if (lines[i] ~ /^Suites:/) lines[i] = "Suites: bookworm-backports"
                     out = out lines[i] "\n"
                 }
                 printf "%s\n", out
                 exit
             }' "$file"
    done
    # One-line format (/etc/apt/sources.list): "deb [options] URI bookworm main ...".
    if [[ -e /etc/apt/sources.list ]]; then
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i == "bookworm") { $i = "bookworm-backports"; print; exit } }' \
            /etc/apt/sources.list
    fi
}

fetch() {
    local source work
    source=$(backports_source | head -c 4096)
    if [[ -z $source ]]; then
        log "found no Debian apt source with the suite bookworm in /etc/apt to copy"
        exit 2
    fi
    work=$dir/apt
    rm -rf "$work" "$root" && mkdir -p "$work"/lists/partial "$work"/archives/partial "$work"/debs
    if grep -q '^Types:' <<<"$source"; then
        printf '%s\n' "$source" >"$work/backports.sources"
        local list_option=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/parts")
        mkdir -p "$work/parts" && mv "$work/backports.sources" "$work/parts/"
    else
        printf '%s\n' "$source" >"$work/backports.list"
        local list_option=(-o Dir::Etc::SourceList="$work/backports.list" -o Dir::Etc::SourceParts=/dev/null)
    fi
    local apt=(apt-get -q -o APT::Sandbox::User=root "${list_option[@]}"
        -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work" -o Dir::Cache::archives="$work/archives")
    log "reading the bookworm-backports package lists"
    "${apt[@]}" update >&2
    local package
    for package in "${packages[@]}"; do
        (cd "$work/debs" && "${apt[@]}" download "$package/bookworm-backports" >&2)
    done
    mkdir -p "$root.tmp"
    local deb
    for deb in "$work"/debs/*.deb; do
        dpkg-deb -x "$deb" "$root.tmp"
    done
    # The PC BIOS comes from Debian's seabios package (a dependency of the stock
    # qemu-system-x86): qemu-system-data only links to it.
    local firmware
    for firmware in /usr/share/seabios/*.bin; do
        [[ -e $firmware ]] || { log "no /usr/share/seabios/*.bin: install the Debian package seabios"; exit 2; }
        [[ -e $root.tmp/usr/share/qemu/${firmware##*/} ]] || ln -s "$firmware" "$root.tmp/usr/share/qemu/"
    done
    "$root.tmp/usr/bin/qemu-system-x86_64" --version >&2
    mv "$root.tmp" "$root"
    rm -rf "$work"
}

mkdir -p "$dir"
if [[ ! -x $qemu ]]; then
    exec 9>"$dir.lock"
    flock 9
    if [[ ! -x $qemu ]]; then
        rm -rf "$root.tmp"
        fetch
    fi
    exec 9>&-
fi
echo "VGPIO_QEMU10=$qemu"
echo "VGPIO_QEMU10_FIRMWARE=$root/usr/share/qemu"
