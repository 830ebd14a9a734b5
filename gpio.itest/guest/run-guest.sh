#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Boots the test guest (built and cached by build-guest.sh) under QEMU with TCG,
# runs one shell command in it and powers it off; the console goes to stdout.
# Exits with the command's exit status inside the guest (124 on timeout).
#
# Usage: run-guest.sh [--host] [--timeout SECONDS] COMMAND [-- EXTRA QEMU ARGUMENTS...]
#   --host   share the host's / read-only (9p) and mount it at /host in the guest,
#            so that "chroot /host <host program>" runs host programs, such as java
# Examples:
#   run-guest.sh 'gpiodetect; ls /sys/kernel/config'
#   run-guest.sh --host 'chroot /host java -version'
#   run-guest.sh 'gpiodetect; gpioinfo' -- -chardev socket,id=vgpio,path=/tmp/gpio.sock \
#       -device vhost-user-gpio-pci,chardev=vgpio \
#       -object memory-backend-memfd,id=mem,size=1024M,share=on -numa node,memdev=mem
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
host=no
timeout=600
while [[ $# -gt 0 ]]; do
    case $1 in
        --host) host=yes; shift ;;
        --timeout) timeout=$2; shift 2 ;;
        *) break ;;
    esac
done
[[ $# -ge 1 ]] || { sed -n '4,18p' "$0" >&2; exit 2; }
command=$1; shift
[[ ${1:-} == -- ]] && shift
command -v qemu-system-x86_64 >/dev/null || { echo "run-guest: qemu-system-x86_64 missing (Debian package qemu-system-x86)" >&2; exit 2; }

eval "$("$here/build-guest.sh")"
qemu=(qemu-system-x86_64 -M q35,accel=tcg -m 1024 -smp 1 -nodefaults -display none -no-reboot -serial stdio
      -kernel "$VGPIO_KERNEL" -initrd "$VGPIO_INITRAMFS")
if [[ $host == yes ]]; then
    # The guest sees the host's files under /host: the script can live in the cache.
    cache=${VGPIO_CACHE:-$HOME/.cache/vgpio}
    script=$(mktemp "$cache/run-XXXXXX.sh")
    trap 'rm -f "$script"' EXIT
    printf '%s\n' "$command" >"$script"
    qemu+=(-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap
           -append "console=ttyS0 quiet panic=-1 no_timer_check vgpio_script=/host$script")
else
    [[ $command != *'"'* ]] || { echo "run-guest: no double quotes in COMMAND without --host" >&2; exit 2; }
    qemu+=(-append "console=ttyS0 quiet panic=-1 no_timer_check vgpio_cmd=\"$command\"")
fi

console=$(mktemp)
status=0
timeout "$timeout" "${qemu[@]}" "$@" </dev/null | tee "$console" || status=$?
exit_line=$(grep -a -o 'VGPIO-GUEST-EXIT=[0-9]*' "$console" | tail -n 1 || true)
rm -f "$console"
if [[ -n $exit_line ]]; then
    exit "${exit_line#VGPIO-GUEST-EXIT=}"
fi
echo "run-guest: the guest did not finish its command (QEMU status $status)" >&2
exit $((status == 124 ? 124 : 1))
