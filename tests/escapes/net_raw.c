// tries: sockets that bypass the namespace's routing or reach the kernel: raw IPv4 and IPv6, AF_PACKET, ICMP ping sockets, netlink (route: add an address to lo and create a veth; audit; uevents), AF_VSOCK, AF_ALG, AF_KEY, AF_XDP, AF_BLUETOOTH
// allowed: 3
// why: raw, packet and route-changing netlink need CAP_NET_RAW/CAP_NET_ADMIN, which the box has none of; seccomp allows only AF_UNIX, TCP and UDP over AF_INET and AF_INET6, and NETLINK_ROUTE, so AF_VSOCK, AF_ALG, AF_KEY, AF_XDP, AF_BLUETOOTH, ping sockets and the audit and uevent netlink families fail with ENOSYS. The program exits 0 and prints each result; an opened raw, packet, vsock, alg, key, xdp, bluetooth, audit or uevent socket or an accepted route change is an escape
// layer: caps, seccomp, namespace
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int try_socket(const char *name, int domain, int type, int proto, int is_escape) {
    int s = socket(domain, type, proto);
    if (s < 0) printf("%s: %s\n", name, strerror(errno));
    else printf("%s%s: opened\n", is_escape ? "ESCAPED " : "", name);
    return s;
}

int main(void) {
    try_socket("raw ipv4 icmp", AF_INET, SOCK_RAW, IPPROTO_ICMP, 1);
    try_socket("raw ipv4 any", AF_INET, SOCK_RAW, IPPROTO_RAW, 1);
    try_socket("raw ipv6", AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, 1);
    try_socket("packet", AF_PACKET, SOCK_RAW, htons(0x0003), 1);
    try_socket("ping socket", AF_INET, SOCK_DGRAM, IPPROTO_ICMP, 0);
    try_socket("vsock", 40, SOCK_STREAM, 0, 1);
    try_socket("alg", 38, SOCK_SEQPACKET, 0, 1);
    try_socket("pf_key", 15, SOCK_RAW, 2, 1);
    try_socket("xdp", 44, SOCK_RAW, 0, 1);
    try_socket("bluetooth", 31, SOCK_RAW, 1, 1);
    try_socket("netlink audit", AF_NETLINK, SOCK_RAW, NETLINK_AUDIT, 1);
    try_socket("netlink uevent", AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT, 1);
    int nl = try_socket("netlink route", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, 0);
    if (nl >= 0) {
        struct {
            struct nlmsghdr h;
            struct ifaddrmsg a;
            struct rtattr rta;
            unsigned char addr[4];
        } req;
        memset(&req, 0, sizeof req);
        req.h.nlmsg_len = sizeof req;
        req.h.nlmsg_type = RTM_NEWADDR;
        req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
        req.a.ifa_family = AF_INET;
        req.a.ifa_prefixlen = 24;
        req.a.ifa_index = 1;
        req.rta.rta_type = IFA_LOCAL;
        req.rta.rta_len = RTA_LENGTH(4);
        memcpy(req.addr, "\x0a\x63\x63\x01", 4);
        send(nl, &req, sizeof req, 0);
        char buf[4096];
        ssize_t n = recv(nl, buf, sizeof buf, 0);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (n > 0 && h->nlmsg_type == NLMSG_ERROR) {
            int err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
            if (err == 0) printf("ESCAPED RTM_NEWADDR accepted\n");
            else printf("RTM_NEWADDR: %s\n", strerror(err));
        } else {
            printf("RTM_NEWADDR: no answer\n");
        }
    }
    return 0;
}
