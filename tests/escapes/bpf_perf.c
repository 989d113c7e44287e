// tries: the kernel's programmable and observing interfaces: bpf() map create and socket-filter program load, perf_event_open on the CPU (all processes) and on itself, and seccomp's user-notification listener
// allowed: 3
// why: bpf and perf_event_open are not in the seccomp allowlist (ENOSYS), and the seccomp syscall itself is not allowed either; the program exits 0, printing every errno. A loaded program or an opened event is an escape
// layer: seccomp
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, long ret) {
    if (ret < 0) printf("%s: %s\n", what, strerror(errno));
    else printf("ESCAPED %s succeeded (%ld)\n", what, ret);
}

int main(void) {
    union bpf_attr map;
    memset(&map, 0, sizeof map);
    map.map_type = BPF_MAP_TYPE_ARRAY;
    map.key_size = 4;
    map.value_size = 8;
    map.max_entries = 1;
    report("bpf(MAP_CREATE)", syscall(SYS_bpf, BPF_MAP_CREATE, &map, sizeof map));
    struct bpf_insn prog[] = {{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0}, {.code = BPF_JMP | BPF_EXIT}};
    union bpf_attr load;
    memset(&load, 0, sizeof load);
    load.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    load.insn_cnt = 2;
    load.insns = (unsigned long)prog;
    load.license = (unsigned long)"GPL";
    report("bpf(PROG_LOAD)", syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load));
    struct perf_event_attr pe;
    memset(&pe, 0, sizeof pe);
    pe.type = PERF_TYPE_SOFTWARE;
    pe.size = sizeof pe;
    pe.config = PERF_COUNT_SW_CPU_CLOCK;
    report("perf_event_open(cpu 0, all processes)", syscall(SYS_perf_event_open, &pe, -1, 0, -1, 0));
    report("perf_event_open(self)", syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0));
    report("seccomp(GET_NOTIF_SIZES)", syscall(SYS_seccomp, 3, 0, (char[16]){0}));
    return 0;
}
