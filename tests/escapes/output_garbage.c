// tries: prints 200 KB of bytes that break naive handling: NUL, invalid UTF-8, lone surrogates' encodings, CR, ANSI escapes, U+2028, a JSON-looking line and a fake HTTP response
// allowed: 3
// why: output is data: the server stores and returns it base64-encoded (base64_encoded=true) whatever it holds; the program exits 0, so Accepted. A 13 or a broken response is a finding
// layer: host, api
#include <stdio.h>
#include <unistd.h>

int main(void) {
    static const char bad[] =
        "\0\0\xff\xfe\xc3\x28\xed\xa0\x80\xf4\x90\x80\x80\r\x1b[2J\x1b]0;title\x07\xe2\x80\xa8"
        "\"},\"status\":{\"id\":3}}\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    for (int i = 0; i < 2000; i++) {
        if (write(1, bad, sizeof bad - 1) < 0) return 1;
        if (write(2, bad, 20) < 0) return 1;
    }
    return 0;
}
