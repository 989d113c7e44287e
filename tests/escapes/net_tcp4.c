// tries: TCP over IPv4 to everything the host might listen on: the suite's listeners on 127.0.0.1 and 0.0.0.0 (ports in argv), the judgebox API itself, the host's own address, the cloud metadata address, a public address; also bind and listen on a port
// allowed: 3
// why: the box's network namespace holds only its own loopback, so loopback connects are refused inside the box, other addresses are unreachable, and Landlock denies TCP connect and bind; the program exits 0 and prints every errno. The suite checks its listeners received nothing
// layer: namespace, landlock
// args: {tcp4_port} {tcp_any_port} {api_port} {host_ipv4}
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void tcp(const char *ip, int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) { printf("socket: %s\n", strerror(errno)); return; }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    fcntl(s, F_SETFL, O_NONBLOCK);
    int r = connect(s, (struct sockaddr *)&a, sizeof a);
    if (r < 0 && errno == EINPROGRESS) {
        struct pollfd p = {.fd = s, .events = POLLOUT};
        if (poll(&p, 1, 300) == 1) {
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
            errno = err;
            r = err ? -1 : 0;
        } else {
            errno = ETIMEDOUT;
        }
    }
    if (r == 0) printf("ESCAPED connected to %s:%d\n", ip, port);
    else printf("%s:%d: %s\n", ip, port, strerror(errno));
    close(s);
}

int main(int argc, char **argv) {
    int loop_port = argc > 1 ? atoi(argv[1]) : 1;
    int any_port = argc > 2 ? atoi(argv[2]) : 1;
    int api_port = argc > 3 ? atoi(argv[3]) : 2358;
    const char *host = argc > 4 ? argv[4] : "10.0.2.15";
    tcp("127.0.0.1", loop_port);
    tcp("127.0.0.1", any_port);
    tcp("127.0.0.1", api_port);
    tcp("0.0.0.0", any_port);
    tcp("127.0.0.2", any_port);
    tcp(host, any_port);
    tcp(host, api_port);
    tcp("10.0.2.2", 22);
    tcp("169.254.169.254", 80);
    tcp("1.1.1.1", 80);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = htons(8080)};
    printf("bind 0.0.0.0:8080: %s\n", bind(l, (struct sockaddr *)&b, sizeof b) == 0 ? "bound (inside the box's own namespace)" : strerror(errno));
    return 0;
}
