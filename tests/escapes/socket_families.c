// tries: every socket address family from 0 to 45 with every socket type (on a modular kernel asking for one loads its protocol module: AF_ALG, AF_RDS, AF_TIPC, AF_CAN, ...), netlink families other than route (kobject uevents carry the host's device events; audit; sock_diag lists sockets), and the IP protocols that Landlock's TCP rules do not see: MPTCP (262) bind, listen and connect on loopback, SCTP, UDP-Lite, DCCP
// allowed: 3
// why: the seccomp filter allows socket() only for AF_UNIX, AF_INET and AF_INET6 streams of TCP and datagrams of UDP, and AF_NETLINK with NETLINK_ROUTE; everything else fails with ENOSYS before the kernel looks the family up. The program exits 0; any other socket opened is an escape
// layer: seccomp
#include <errno.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

static int allowed(int family, int type, int proto) {
    if (family == AF_UNIX) return 1;
    if (family == AF_INET || family == AF_INET6)
        return (type == SOCK_STREAM && (proto == 0 || proto == IPPROTO_TCP)) ||
               (type == SOCK_DGRAM && (proto == 0 || proto == IPPROTO_UDP));
    if (family == AF_NETLINK) return proto == NETLINK_ROUTE;
    return 0;
}

static void try(int family, int type, int proto) {
    int s = socket(family, type, proto);
    if (s < 0) return;
    if (!allowed(family, type, proto)) printf("ESCAPED socket(%d, %d, %d) opened\n", family, type, proto);
    close(s);
}

int main(void) {
    const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_RDM};
    for (int family = 0; family <= 45; family++)
        for (unsigned t = 0; t < sizeof types / sizeof *types; t++) try(family, types[t], 0);
    for (int proto = 0; proto <= 22; proto++) {
        try(AF_NETLINK, SOCK_RAW, proto);
        try(AF_NETLINK, SOCK_DGRAM, proto);
    }
    const int protos[] = {IPPROTO_MPTCP, IPPROTO_SCTP, IPPROTO_UDPLITE, 33 /* DCCP */, IPPROTO_ICMP, IPPROTO_ICMPV6};
    for (unsigned p = 0; p < sizeof protos / sizeof *protos; p++)
        for (unsigned t = 0; t < sizeof types / sizeof *types; t++) {
            try(AF_INET, types[t], protos[p]);
            try(AF_INET6, types[t], protos[p]);
        }
    int m = socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP);
    if (m >= 0) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(4711), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (bind(m, (struct sockaddr *)&a, sizeof a) == 0 && listen(m, 1) == 0) printf("ESCAPED an MPTCP socket listens on loopback past Landlock's TCP rule\n");
    } else {
        printf("MPTCP socket: %s\n", strerror(errno));
    }
    printf("checked every family\n");
    return 0;
}
