#!/usr/bin/env bash
# run-guest.sh: boots one host of the matrix (a Debian kernel under systemd, in QEMU) with
# the executables of BIN_DIR in its /usr/local/bin, runs a bash command there as root, and
# exits with the command's exit code (125 when the guest never reported one).
#
#   tests/hosts/run-guest.sh [-k KERNEL] [-c v2|hybrid] [-f FILE]... [-t SECONDS] [-v] BIN_DIR COMMAND
#
#   -k KERNEL  kernel version prefix: 5.10 (Debian 11), 6.1 (Debian 12, the default), 6.12
#              (Debian 13's series), 6.17 (the newest in trixie-backports); -k list lists them
#   -c MODE    v2: cgroup v2 only (cgroup_no_v1=all), as Debian 11+, Ubuntu 22.04+ and RHEL 9
#              boot by default; hybrid: systemd's hybrid layout, the v1 controllers mounted
#              beside an empty cgroup2 tree (systemd.unified_cgroup_hierarchy=0)
#   -f FILE    copied into the guest's $HOSTRUN_FILES (repeatable)
#   -t SECONDS power the guest off after this long (default 1200)
#   -v         print the guest's serial console when the run ends
#
# The image (build-image.sh beside this file, 5-10 minutes the first time) is cached in
# $JUDGEBOX_HOSTS_CACHE (default /var/cache/judgebox/hosts) and booted with -snapshot:
# nothing the guest writes persists. Guest: 2 vCPUs, 3 GiB, no network, the run directory
# shared over virtio-9p. Without a KVM that can run a stock kernel (kvm_intel or kvm_amd),
# QEMU emulates the CPU: ~15x slower, so compare verdicts and memory, not times.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${JUDGEBOX_HOSTS_CACHE:-/var/cache/judgebox/hosts}
KERNEL=6.1
CG=v2
TIMEOUT=1200
VERBOSE=0
FILES=()
while getopts "k:c:f:t:vh" opt; do
    case $opt in
        k) KERNEL=$OPTARG ;;
        c) CG=$OPTARG ;;
        f) FILES+=("$OPTARG") ;;
        t) TIMEOUT=$OPTARG ;;
        v) VERBOSE=1 ;;
        *) sed -n '2,22p' "$0"; exit 2 ;;
    esac
done
shift $((OPTIND - 1))

command -v qemu-system-x86_64 >/dev/null || { echo "run-guest.sh: needs qemu (apt-get install qemu-system-x86)" >&2; exit 2; }
"$HERE/build-image.sh"
if [[ $KERNEL == list ]]; then
    ls "$CACHE/boot" | sed -n 's/^vmlinuz-//p'
    exit 0
fi
[[ $# -ge 2 ]] || { sed -n '2,22p' "$0"; exit 2; }
BIN_DIR=$1
shift
# The newest kernel whose version starts with KERNEL and then . or - (6.1 is not 6.12).
VMLINUZ=$(ls -v "$CACHE"/boot/vmlinuz-"$KERNEL"[.-]* 2>/dev/null | tail -1 || true)
[[ -n $VMLINUZ ]] || { echo "run-guest.sh: no kernel $KERNEL; have: $(ls "$CACHE/boot" | sed -n 's/^vmlinuz-//p' | tr '\n' ' ')" >&2; exit 2; }
KVER=${VMLINUZ##*/vmlinuz-}
case $CG in
    v2) CGARGS="cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" ;;
    hybrid) CGARGS="systemd.unified_cgroup_hierarchy=0 systemd.legacy_systemd_cgroup_controller=0" ;;
    *) echo "run-guest.sh: -c takes v2 or hybrid" >&2; exit 2 ;;
esac

# The run directory, shared as 9p tag "hostrun": bin/, files/, cmd.sh; the guest writes
# out.log, rc and booted (seconds from kernel start to the command) into it.
mkdir -p "$CACHE/runs"
RUN=$(mktemp -d "$CACHE/runs/$KERNEL-$CG.XXXXXX")
mkdir -p "$RUN/bin" "$RUN/files"
find "$BIN_DIR/" -maxdepth 1 -type f -perm -u+x -exec cp {} "$RUN/bin/" \;
for f in "${FILES[@]}"; do cp "$f" "$RUN/files/"; done
printf '%s\n' "$*" >"$RUN/cmd.sh"
: >"$RUN/out.log"

# A /dev/kvm served by another module than kvm_intel/kvm_amd (a paravirtual nested
# hypervisor such as kvm_pvm) cannot run a stock kernel: use QEMU's emulation there.
if [[ -w /dev/kvm ]] && [[ -d /sys/module/kvm_intel || -d /sys/module/kvm_amd ]]; then
    ACCEL=(-enable-kvm -cpu host,-arch-capabilities)
else
    # Plain -cpu max: with max,-svm,-vmx static glibc programs abort at start.
    ACCEL=(-accel tcg,thread=multi,tb-size=256 -cpu max)
fi
echo "host $KERNEL/$CG: kernel $KVER, ${ACCEL[0]}, run directory $RUN" >&2
START=$(date +%s)
timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 \
    "${ACCEL[@]}" -smp 2 -m 3072 \
    -nodefaults -display none -no-reboot -nic none \
    -serial "file:$RUN/console.log" -monitor none \
    -kernel "$VMLINUZ" -initrd "$CACHE/boot/initrd.img-$KVER" \
    -append "root=/dev/vda rw console=ttyS0 $CGARGS panic=-1" \
    -drive "file=$CACHE/rootfs.img,format=raw,if=virtio,snapshot=on" \
    -virtfs "local,path=$RUN,mount_tag=hostrun,security_model=none,id=hostrun" &
QEMU=$!
tail -n +1 -F --pid="$QEMU" "$RUN/out.log" 2>/dev/null &
TAIL=$!
set +e
wait "$QEMU"
QRC=$?
wait "$TAIL" 2>/dev/null
set -e
[[ $VERBOSE == 1 ]] && { echo "--- serial console ---"; cat "$RUN/console.log"; }
if [[ -f $RUN/rc ]]; then
    RC=$(cat "$RUN/rc")
    echo "host $KERNEL/$CG: exit code $RC after $(( $(date +%s) - START )) s (boot to command: $(cat "$RUN/booted" 2>/dev/null || echo '?') s)" >&2
    rm -rf "$RUN/bin"
    exit "$RC"
fi
echo "host $KERNEL/$CG: the guest reported no exit code (qemu exit $QRC; 124: timed out). Console tail:" >&2
tail -40 "$RUN/console.log" >&2
exit 125
