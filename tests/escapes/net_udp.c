// tries: UDP datagrams to the suite's UDP sockets on 127.0.0.1, the host's address and [::1] (ports in argv), to a public DNS server and to the broadcast address
// allowed: 3
// why: UDP is not covered by Landlock, but the box's network namespace has only its own loopback: datagrams to 127.0.0.1 and ::1 stay inside the box and the others have no route (ENETUNREACH). The program exits 0; the suite checks its UDP sockets received nothing
// layer: namespace
// args: {udp_port} {udp6_port} {host_ipv4}
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void send4(const char *ip, int port) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    int yes = 1;
    setsockopt(s, SOL_SOCKET, SO_BROADCAST, &yes, sizeof yes);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    ssize_t n = sendto(s, "jbxpwn", 6, 0, (struct sockaddr *)&a, sizeof a);
    printf("udp %s:%d: %s\n", ip, port, n < 0 ? strerror(errno) : "sent (within the box's namespace unless it arrives)");
    close(s);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 1;
    int port6 = argc > 2 ? atoi(argv[2]) : 1;
    const char *host = argc > 3 ? argv[3] : "10.0.2.15";
    send4("127.0.0.1", port);
    send4(host, port);
    send4("8.8.8.8", 53);
    send4("255.255.255.255", port);
    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(port6)};
    a6.sin6_addr = in6addr_loopback;
    ssize_t n = sendto(s, "jbxpwn", 6, 0, (struct sockaddr *)&a6, sizeof a6);
    printf("udp [::1]:%d: %s\n", port6, n < 0 ? strerror(errno) : "sent (within the box's namespace unless it arrives)");
    return 0;
}
