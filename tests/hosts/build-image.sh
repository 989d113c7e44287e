#!/usr/bin/env bash
# build-image.sh: builds, once, the root filesystem and kernels the host matrix boots.
#
# Everything comes from Debian's archive through mmdebstrap and apt:
#   - a minimal bookworm root with systemd as init, gcc, libc6-dev, python3 and curl (the
#     languages `languages test` checks in the guests: C, Python, Bash, Plain Text);
#   - Debian's kernels, each with its initramfs:
#       5.10  bullseye            (Debian 11)
#       6.1   bookworm            (Debian 12)
#       6.12  bookworm-backports  (Debian 13's series)
#       6.x   trixie-backports    (the newest that installs on bookworm)
#
# Output, under $JUDGEBOX_HOSTS_CACHE (default /var/cache/judgebox/hosts):
#   rootfs.img, boot/vmlinuz-VER, boot/initrd.img-VER, boot/config-VER, build.log, stamp
# The stamp is the hash of this script and of guest/: when either changes, the next run
# builds again (FORCE=1 forces it). Needs root and the packages mmdebstrap and e2fsprogs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${JUDGEBOX_HOSTS_CACHE:-/var/cache/judgebox/hosts}
SUITE=bookworm
STAMP=$(cat "$0" $(find "$HERE/guest" -type f | sort) | sha256sum | cut -c1-16)
# The Debian mirror apt already uses on this machine (deb822 or one-line format).
if [[ -z ${MIRROR:-} ]]; then
    MIRROR=$(sed -n 's/^URIs: *\([^ ]*\/debian\)\/\?$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
    [[ -n $MIRROR ]] || MIRROR=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    [[ -n $MIRROR ]] || MIRROR=http://deb.debian.org/debian
fi
MIRROR=${MIRROR%/}
SECURITY_MIRROR=${SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}

if [[ -f $CACHE/rootfs.img && $(cat "$CACHE/stamp" 2>/dev/null) == "$STAMP" && -z ${FORCE:-} ]]; then
    exit 0
fi
[[ $(id -u) == 0 ]] || { echo "build-image.sh: run as root" >&2; exit 1; }
command -v mmdebstrap >/dev/null || { echo "build-image.sh: needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 1; }

mkdir -p "$CACHE"
# One build at a time (CI's guests start in parallel).
exec 9>"$CACHE/.lock"
flock 9
if [[ -f $CACHE/rootfs.img && $(cat "$CACHE/stamp" 2>/dev/null) == "$STAMP" && -z ${FORCE:-} ]]; then
    exit 0
fi
ROOT=$CACHE/rootfs
rm -rf "$ROOT" "$CACHE/boot" "$CACHE/rootfs.img.tmp" "$CACHE/rootfs.img" "$CACHE/stamp"
mkdir -p "$CACHE/boot"
echo "building the host-matrix image in $CACHE (5-10 minutes; log: $CACHE/build.log)" >&2
exec 3>&2 > >(tee "$CACHE/build.log" | sed -u -n 's/^\(I: [a-z].*\|.*kernel: .*\|built .*\)$/  \1/p' >&3) 2>&1
echo "mirror: $MIRROR  security: $SECURITY_MIRROR"

PACKAGES=systemd,systemd-sysv,udev,dbus,kmod,initramfs-tools,zstd,linux-image-amd64
PACKAGES+=,gcc,libc6-dev,python3,curl,procps,psmisc,iproute2,util-linux

# The hooks, in order: the backports kernel (6.12) beside bookworm's (6.1); bullseye's (5.10)
# and the newest of trixie-backports, each from a source added for it and removed after; the
# guest's own files; and no getty, logind, D-Bus or timers (under software emulation logind
# alone took ~90 s to start).
mmdebstrap --mode=root --variant=apt --components=main \
    --include="$PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook='chroot "$1" apt-get install -y --no-install-recommends -t bookworm-backports linux-image-amd64' \
    --customize-hook="
        echo 'deb $MIRROR bullseye main' > \"\$1/etc/apt/sources.list.d/bullseye.list\"
        echo 'deb $SECURITY_MIRROR bullseye-security main' >> \"\$1/etc/apt/sources.list.d/bullseye.list\"
        chroot \"\$1\" apt-get update
        pkg=\$(chroot \"\$1\" apt-cache depends linux-image-amd64/bullseye-security 2>/dev/null | sed -n 's/.*Depends: \\(linux-image-5[^ ]*-amd64\\)\$/\\1/p' | head -1)
        [ -n \"\$pkg\" ] || pkg=\$(chroot \"\$1\" apt-cache depends linux-image-amd64/bullseye | sed -n 's/.*Depends: \\(linux-image-5[^ ]*-amd64\\)\$/\\1/p' | head -1)
        echo \"bullseye kernel: \$pkg\"
        chroot \"\$1\" apt-get install -y --no-install-recommends \"\$pkg\"
        rm \"\$1/etc/apt/sources.list.d/bullseye.list\"
        chroot \"\$1\" apt-get update" \
    --customize-hook="
        echo 'deb $MIRROR trixie-backports main' > \"\$1/etc/apt/sources.list.d/trixie-bpo.list\"
        chroot \"\$1\" apt-get update
        for pkg in \$(chroot \"\$1\" apt-cache search --names-only '^linux-image-6\\.[0-9.]*[+]deb13-amd64\$' | cut -d' ' -f1 | sort -rV); do
            if chroot \"\$1\" apt-get install -s -y --no-install-recommends \"\$pkg\" >/dev/null 2>&1; then
                echo \"trixie-backports kernel: \$pkg\"
                chroot \"\$1\" apt-get install -y --no-install-recommends \"\$pkg\" && break
            fi
        done
        rm \"\$1/etc/apt/sources.list.d/trixie-bpo.list\"
        chroot \"\$1\" apt-get update" \
    --customize-hook="cp -a '$HERE/guest/.' \"\$1/\"" \
    --customize-hook='chroot "$1" systemctl enable judgebox-hostrun.service' \
    --customize-hook='chroot "$1" systemctl mask getty@tty1.service serial-getty@ttyS0.service systemd-timesyncd.service apt-daily.timer apt-daily-upgrade.timer e2scrub_reap.service systemd-logind.service dbus.service dbus.socket 2>/dev/null || true' \
    --customize-hook='echo judgebox-host > "$1/etc/hostname"; printf "127.0.0.1 localhost\n127.0.1.1 judgebox-host\n" > "$1/etc/hosts"' \
    --customize-hook='printf "/dev/vda / ext4 rw,relatime 0 0\n" > "$1/etc/fstab"' \
    --customize-hook='chroot "$1" passwd -d root' \
    "$SUITE" "$ROOT" \
    "deb $MIRROR $SUITE main" \
    "deb $MIRROR $SUITE-updates main" \
    "deb $SECURITY_MIRROR $SUITE-security main" \
    "deb $MIRROR $SUITE-backports main"

for k in "$ROOT"/boot/vmlinuz-*; do
    ver=${k##*/vmlinuz-}
    cp "$k" "$ROOT/boot/initrd.img-$ver" "$ROOT/boot/config-$ver" "$CACHE/boot/"
    echo "kernel: $ver"
done
# An ext4 image made from the directory (no loop device, no mount), sparse.
size_mb=$(( $(du -sm "$ROOT" | cut -f1) + 3072 ))
mkfs.ext4 -q -F -L hostroot -d "$ROOT" "$CACHE/rootfs.img.tmp" "${size_mb}M"
mv "$CACHE/rootfs.img.tmp" "$CACHE/rootfs.img"
rm -rf "$ROOT"
echo "$STAMP" > "$CACHE/stamp"
echo "built $CACHE/rootfs.img (${size_mb} MB, sparse)"
