# tries: surveys and changes the network from the shell: /proc/net/dev, tcp, tcp6, udp, unix and route, then ip link add, set lo down, ip addr add, ip route add, and an iptables flush
# allowed: 3
# why: the box's network namespace shows only its loopback and its own sockets, so the host's interfaces and listeners do not appear, and changing anything needs CAP_NET_ADMIN, which the box has not; the script exits 0. A host interface or one of the suite's ports in the box's tables is printed as an escape
# layer: namespace, caps
# args: {tcp4_port} {tcp_any_port}
cat /proc/net/dev /proc/net/route 2>&1
for iface in $(awk -F: 'NR>2 {gsub(/ /, "", $1); print $1}' /proc/net/dev); do
  [ "$iface" = lo ] || echo "ESCAPED host interface visible: $iface"
done
for port in "$1" "$2"; do
  hex=$(printf '%04X' "$port")
  if grep -qi ":$hex " /proc/net/tcp /proc/net/tcp6 2>/dev/null; then echo "ESCAPED host listener $port visible"; fi
done
for cmd in "ip link add jbx0 type veth peer name jbx1" "ip link set lo down" "ip addr add 10.99.99.1/24 dev lo" \
           "ip route add default via 127.0.0.1" "iptables -F"; do
  if $cmd 2>/dev/null; then echo "ESCAPED: $cmd"; else echo "refused: $cmd"; fi
done
exit 0
