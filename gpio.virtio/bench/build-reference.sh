#!/usr/bin/env bash
# Builds the rust-vmm reference backend vhost-device-gpio, with its mock GPIO
# (feature mock_gpio, so no real GPIO chip is needed), for side-by-side
# benchmarks. Nothing of it enters this repository: it is built and cached under
# $VGPIO_REFERENCE (default ~/.cache/vgpio/reference), and the path of the
# binary is printed on stdout.
#
# Where everything comes from (no access to crates.io or GitHub is needed):
# - the backend: vhost-device-gpio from https://github.com/rust-vmm/vhost-device
#   at commit $COMMIT (2024-11-18), the last one whose dependencies (vhost 0.13,
#   vhost-user-backend 0.17, virtio-queue 0.14, vm-memory 0.16) are the versions
#   Debian trixie packages. Taken with `git archive` from a clone given in
#   $VHOST_DEVICE_GIT (default: the local mirror, else a fresh clone from GitHub).
# - its crate dependencies: Debian trixie's librust-*-dev packages from
#   deb.debian.org (each holds a crate under /usr/share/cargo/registry/ with a
#   .cargo-checksum.json), the closure of their Depends, used by cargo as a
#   directory source in place of crates-io, built with --offline.
# - libgpiod (the Rust bindings of the libgpiod 2 C library) is not packaged in
#   Debian; the mock backend never calls it, so libgpiod-unavailable/ next to
#   this script stands in for it (its every call fails).
set -euo pipefail

COMMIT=09c98cb5fe1bb9ec1bfbbb0aa9aa27087b542332
MIRROR=http://deb.debian.org/debian
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${VGPIO_REFERENCE:-$HOME/.cache/vgpio/reference}
BIN=$OUT/target/release/vhost-device-gpio
STAMP=$OUT/built-from
CARGO=${CARGO:-$(command -v cargo || echo "$HOME/.cargo/bin/cargo")}
# The crates vhost-device-gpio depends on directly, dev-dependencies included
# (cargo resolves them too; see its Cargo.toml).
ROOTS="assert-matches clap env-logger libc log thiserror vhost vhost-user-backend virtio-bindings virtio-queue vm-memory vmm-sys-util"

want="$COMMIT $(cat "$HERE/libgpiod-unavailable/Cargo.toml" "$HERE/libgpiod-unavailable/src/lib.rs" | sha256sum | cut -c1-16)"
if [[ -x $BIN && -f $STAMP && $(cat "$STAMP") == "$want" ]]; then
    echo "$BIN"
    exit 0
fi
mkdir -p "$OUT/debs" "$OUT/registry"

# 1. The source of the reference backend.
git_dir=${VHOST_DEVICE_GIT:-/work/.mirror/rust-vmm+vhost-device/repo}
if ! git --git-dir="$git_dir" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
    git_dir=$OUT/vhost-device.git
    [[ -d $git_dir ]] || git clone --bare https://github.com/rust-vmm/vhost-device "$git_dir" >&2
fi
rm -rf "$OUT/src"
mkdir -p "$OUT/src"
git --git-dir="$git_dir" archive "$COMMIT" vhost-device-gpio | tar -x -C "$OUT/src"
src=$OUT/src/vhost-device-gpio
# Built alone, not in its upstream workspace, so that cargo resolves against the
# Debian crates only.
cat >> "$src/Cargo.toml" <<TOML

[workspace]

[patch.crates-io]
libgpiod = { path = "$HERE/libgpiod-unavailable" }
TOML

# 2. The dependency closure, from trixie's package index.
index=$OUT/Packages
if [[ ! -s $index ]]; then
    curl -fsS "$MIRROR/dists/trixie/main/binary-amd64/Packages.xz" | xz -dc > "$index.part"
    mv "$index.part" "$index"
fi
python3 - "$index" $ROOTS > "$OUT/debs.txt" <<'PY'
import re, sys
index, roots = sys.argv[1], sys.argv[2:]
packages, provider = {}, {}
for stanza in open(index, encoding="utf-8").read().split("\n\n"):
    fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", stanza, re.M))
    name = fields.get("Package", "")
    if not (name.startswith("librust-") and name.endswith("-dev")):
        continue
    packages[name] = fields
    provider.setdefault(name, name)
    for virtual in fields.get("Provides", "").split(","):
        if virtual.strip():
            provider.setdefault(virtual.split("(")[0].strip(), name)
todo = ["librust-%s-dev" % r for r in roots]
seen = set()
while todo:
    name = provider[todo.pop()]
    if name in seen:
        continue
    seen.add(name)
    for dep in packages[name].get("Depends", "").split(","):
        # Of alternatives, the first one Debian can satisfy.
        for alternative in dep.split("|"):
            dep_name = alternative.split("(")[0].strip()
            if dep_name in provider:
                todo.append(dep_name)
                break
for name in sorted(seen):
    print(packages[name]["Filename"])
PY

# 3. The crates, extracted into one directory source.
while read -r file; do
    deb=$OUT/debs/$(basename "$file")
    [[ -s $deb ]] || { curl -fsS -o "$deb.part" "$MIRROR/$file" && mv "$deb.part" "$deb"; }
    dpkg-deb -x "$deb" "$OUT/root"
done < "$OUT/debs.txt"
rm -rf "$OUT/registry"
cp -a "$OUT/root/usr/share/cargo/registry" "$OUT/registry"

mkdir -p "$src/.cargo"
cat > "$src/.cargo/config.toml" <<TOML
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "$OUT/registry"
TOML

# 4. The build.
(cd "$src" && "$CARGO" build --offline --release --features mock_gpio --target-dir "$OUT/target" >&2)
echo "$want" > "$STAMP"
echo "$BIN"
