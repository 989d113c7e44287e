// tries: Node's network stack: net.connect to the suite's listeners and to the judgebox API (an SSRF that would let a submission drive the server), dgram to the UDP socket, an HTTP request to the API, and a DNS lookup
// allowed: 3
// why: the box's network namespace has only its own loopback and Landlock denies TCP connect, so every attempt errors (ECONNREFUSED, EACCES, ENETUNREACH, EAI_AGAIN); a timer ends the program with 0 after printing them. The suite checks its listeners received nothing and the server accepted only the suite's own submissions
// layer: namespace, landlock
// args: {tcp4_port} {tcp_any_port} {api_port} {udp_port} {host_ipv4}
const net = require('net');
const dgram = require('dgram');
const http = require('http');
const dns = require('dns');

const [tcp4, tcpAny, api, udp, host] = process.argv.slice(2);
for (const [h, p] of [['127.0.0.1', tcp4], ['127.0.0.1', tcpAny], ['127.0.0.1', api], [host, tcpAny], [host, api]]) {
  const s = net.connect({ host: h, port: Number(p) });
  s.on('connect', () => { console.log(`ESCAPED connected to ${h}:${p}`); s.destroy(); });
  s.on('error', (e) => console.log(`${h}:${p}: ${e.code}`));
}
const u = dgram.createSocket('udp4');
u.send('jbxpwn', Number(udp), '127.0.0.1', (e) => { console.log(`udp: ${e ? e.code : 'sent (within the box)'}`); u.close(); });
const body = JSON.stringify({ source_code: 'print(1)', language_id: 71 });
const req = http.request({ host: '127.0.0.1', port: Number(api), path: '/submissions', method: 'POST',
  headers: { 'Content-Type': 'application/json' } }, (res) => console.log(`ESCAPED the API answered ${res.statusCode}`));
req.on('error', (e) => console.log(`api POST: ${e.code}`));
req.end(body);
dns.lookup('example.com', (e, addr) => console.log(`dns: ${e ? e.code : addr}`));
setTimeout(() => process.exit(0), 1000);
