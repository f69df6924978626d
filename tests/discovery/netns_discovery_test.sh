#!/usr/bin/env bash
# End-to-end LAN discovery across a real broadcast domain, with the real binaries.
#
# Builds a private Ethernet segment out of network namespaces: a "switch" namespace
# holding a bridge, and hosts a, b, c each joined to it by a veth pair, addressed
# 10.200.0.1-3/24 (the subnet exists only inside these namespaces; no traffic leaves
# them). Then, using ${bin_dir}/checkers-server and checkers-client:
#   1. no server running: `checkers-client --list-servers` exits 2 naming eth0 and
#      suggesting --host-addr, in about --discover-ms;
#   2. server "alpha" on a: the client on c lists it (name, address:port) exactly once
#      (it answers over IPv4 and IPv6; de-duplicated by instance id), latency < 1 s;
#   3. also server "beta" on b: both are listed;
#   4. a server sending only the reference's empty beacon (--legacy-beacon, queries
#      going unanswered on another UDP port) is listed as a reference server at :8864;
#   5. everything stopped: the client again exits 2 cleanly.
# Then LANs the way people set them up by hand - `ip addr add A/N dev IF`, no
# "broadcast +", no default route - each on its own bridge (10.213.x.0/24, again only
# inside these namespaces):
#   6. field LAN (br1; f1 server, f2 client whose IPv6 link-local stays in duplicate
#      address detection throughout): f1 is listed at its IPv4 address, answering
#      within --discover-ms - IPv6 DAD does not delay the IPv4 answer;
#   7. a second server in f1 on another TCP port: both listed, from f2 and from f1 itself;
#   8. multi-homed m (eth0 on br1, eth1 on br2 with server g1): servers on both LANs
#      listed, each at its address on the LAN it was reached through;
#   9. bare LAN (br3; r1 server, r2 client): addresses added with noprefixroute, so no
#      route at all, and IPv6 disabled: still found by IPv4; a server heard only by its
#      legacy beacon, then one only by its periodic announcements, are listed too;
#  10. IPv6-only LAN (br4; v1 server with a unique-local address, v3 server with only
#      its link-local one, v2 client): v1 listed at its unique-local address (link-local
#      not shown), v3 at [fe80::...%eth0].
# Every run asserts the addresses listed, that each server answered the query within
# --discover-ms (its latency), and that the client's run time stays within a generous
# bound of a no-server run measured here (a client that hangs fails).
# Needs root and a working `ip netns`; otherwise exits 77, which CTest reports as
# skipped (SKIP_RETURN_CODE). Namespaces are removed on every exit path, and
# leftovers of earlier runs that died are removed at start.
#
# Usage: netns_discovery_test.sh <bin_dir>
set -uo pipefail

bin_dir=${1:?usage: $0 <bin_dir>}
server_bin=$bin_dir/checkers-server
client_bin=$bin_dir/checkers-client
prefix=chkd
run=$prefix-$$
discover_ms=1000

skip() { echo "SKIPPED: $*"; exit 77; }
fail() {
  echo "FAIL: $*"
  for log in "$work"/*.log; do [ -f "$log" ] && { echo "--- $log"; tail -n 30 "$log"; }; done
  exit 1
}

[ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces"
command -v ip >/dev/null 2>&1 || skip "iproute2 'ip' not installed"
command -v sysctl >/dev/null 2>&1 || skip "procps 'sysctl' not installed"
[ -d /proc/sys/net/ipv6 ] || skip "this kernel has no IPv6 (the test builds an IPv6-only LAN)"
ip netns add "$run-probe" 2>/dev/null || skip "'ip netns add' does not work here"
ip netns del "$run-probe"
[ -x "$server_bin" ] || { echo "FAIL: $server_bin not built"; exit 1; }
[ -x "$client_bin" ] || { echo "FAIL: $client_bin not built"; exit 1; }

# Leftovers from runs that died without cleaning up (their pid is gone).
for ns in $(ip netns list | awk '{print $1}' | grep -E "^$prefix-[0-9]+-" || true); do
  pid=${ns#"$prefix"-}; pid=${pid%%-*}
  kill -0 "$pid" 2>/dev/null || ip netns del "$ns" 2>/dev/null || true
done

work=$(mktemp -d /tmp/chkd-netns.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$run-" || true); do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

in_ns() { local ns=$1; shift; ip netns exec "$run-$ns" "$@"; }

# --- the segment -------------------------------------------------------------
ip netns add "$run-sw" || fail "ip netns add"
in_ns sw ip link add br0 type bridge || fail "bridge"
in_ns sw ip link set br0 up
host_no=0
for h in a b c; do
  host_no=$((host_no + 1))
  ip netns add "$run-$h" || fail "ip netns add $h"
  # No duplicate-address detection, so IPv6 link-local addresses are usable at once.
  in_ns "$h" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 || true
  in_ns "$h" ip link set lo up
  ip link add eth0 netns "$run-$h" type veth peer name "p$h" netns "$run-sw" || fail "veth $h"
  in_ns sw ip link set "p$h" master br0
  in_ns sw ip link set "p$h" up
  in_ns "$h" ip addr add "10.200.0.$host_no/24" broadcast + dev eth0
  in_ns "$h" ip link set eth0 up
done

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Starts checkers-server in namespace $1 with the remaining arguments; waits until it
# logs that its discovery socket ($2 = UDP port) is answering.
server_no=0
start_server() {
  local ns=$1 udp_port=$2; shift 2
  local data; data=$(mktemp -d "$work/data-$ns.XXXX")
  server_no=$((server_no + 1))
  local log="$work/server-$ns-$server_no.log"
  # Not through in_ns: a backgrounded function would be a subshell, and $! its pid.
  # `ip netns exec` execs the server, so $! is the server itself.
  ip netns exec "$run-$ns" "$server_bin" --data-dir "$data" "$@" >>"$log" 2>&1 &
  pids+=($!)
  local deadline=$(( $(now_ms) + 20000 ))
  until grep -qs "answering queries on UDP port $udp_port " "$log"; do
    kill -0 "${pids[-1]}" 2>/dev/null || fail "checkers-server in $ns exited (options: $*)"
    [ "$(now_ms)" -lt "$deadline" ] || fail "checkers-server in $ns never answered on UDP $udp_port"
    sleep 0.05
  done
}

stop_servers() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  pids=()
}

# Runs `checkers-client --list-servers --discover-ms $1` on host $2 (default c); sets
# out, status, took_ms.
list_servers() {
  local t0; t0=$(now_ms)
  out=$(in_ns "${2:-c}" timeout 30 "$client_bin" --list-servers --discover-ms "$1" 2>"$work/client.log")
  status=$?
  took_ms=$(( $(now_ms) - t0 ))
  echo "--- client on ${2:-c} ($took_ms ms, exit $status):"; echo "$out"; cat "$work/client.log"
}

# 1. Nobody there.
list_servers 300
[ "$status" -eq 2 ] || fail "no server: expected exit 2, got $status"
grep -q -- "--host-addr" <<<"$out$(cat "$work/client.log")" || fail "no server: message does not suggest --host-addr"
grep -q "eth0" <<<"$out$(cat "$work/client.log")" || fail "no server: message does not name eth0"
[ "$took_ms" -lt 3000 ] || fail "no server: took $took_ms ms"

# 2. One server.
start_server a 8864 --server-name alpha
list_servers "$discover_ms"
[ "$status" -eq 0 ] || fail "alpha: client exit $status"
grep -q '10\.200\.0\.1:8864 .*"alpha"' <<<"$out" || fail "alpha not listed with its address and port"
[ "$(grep -c '"alpha"' <<<"$out")" -eq 1 ] || fail "alpha listed more than once"
latency=$(grep -o 'latency [0-9.]* ms' <<<"$out" | head -n1 | awk '{print $2}')
[ -n "$latency" ] || fail "alpha: no latency shown"
awk -v l="$latency" 'BEGIN { exit !(l < 1000) }' || fail "alpha answered after $latency ms"
echo "MEASURED: alpha answered in $latency ms; whole --list-servers run took $took_ms ms"

# 3. Two servers.
start_server b 8864 --server-name beta
list_servers "$discover_ms"
[ "$status" -eq 0 ] || fail "alpha+beta: client exit $status"
grep -q '10\.200\.0\.1:8864 .*"alpha"' <<<"$out" || fail "alpha missing when two run"
grep -q '10\.200\.0\.2:8864 .*"beta"' <<<"$out" || fail "beta missing when two run"
stop_servers

# 4. Only the reference implementation's empty beacon reaches the client's port 8864.
start_server a 8865 --udp-port 8865 --announce-interval 0 --legacy-beacon --server-name legacy
list_servers 1500
[ "$status" -eq 0 ] || fail "legacy: client exit $status"
grep -q '10\.200\.0\.1:8864 .*reference server' <<<"$out" || fail "legacy beacon not recognised"
stop_servers

# 5. Gone again: clean timeout.
list_servers 300
[ "$status" -eq 2 ] || fail "after stop: expected exit 2, got $status"

# --- LANs nobody configured for us ----------------------------------------------
field_ms=500  # "finds every server within half a second"

for br in br1 br2 br3 br4; do
  in_ns sw ip link add "$br" type bridge || fail "bridge $br"
  in_ns sw ip link set "$br" up
done
# new_host NAME [sysctl=value...]: a namespace with lo up; the settings apply to the
# interfaces plugged in afterwards.
new_host() {
  local h=$1; shift
  ip netns add "$run-$h" || fail "ip netns add $h"
  in_ns "$h" ip link set lo up
  local setting
  for setting in "$@"; do in_ns "$h" sysctl -qw "$setting" || fail "sysctl $setting in $h"; done
}
# plug HOST IF BRIDGE [ip addr add arguments]: a veth IF in HOST, its peer on BRIDGE.
plug() {
  local h=$1 itf=$2 br=$3; shift 3
  ip link add "$itf" netns "$run-$h" type veth peer name "p-$h-$itf" netns "$run-sw" || fail "veth $h $itf"
  in_ns sw ip link set "p-$h-$itf" master "$br"
  in_ns sw ip link set "p-$h-$itf" up
  if [ $# -gt 0 ]; then in_ns "$h" ip addr add "$@" dev "$itf" || fail "ip addr add $* in $h"; fi
  in_ns "$h" ip link set "$itf" up
}
no_dad=(net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0)
no_ipv6=(net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1)
# f2's link-local address stays tentative (in duplicate address detection) for ~120 s.
new_host f1
new_host f2 net.ipv6.conf.default.dad_transmits=120
new_host m
new_host g1
new_host r1 "${no_ipv6[@]}"
new_host r2 "${no_ipv6[@]}"
new_host v1 "${no_dad[@]}"
new_host v2 "${no_dad[@]}"
new_host v3 "${no_dad[@]}"
# Addresses the way the issue's user added them: plain, nothing else.
plug f1 eth0 br1 10.213.7.1/24
plug f2 eth0 br1 10.213.7.2/24
plug m eth0 br1 10.213.7.3/24
plug m eth1 br2 10.213.9.3/24
plug g1 eth0 br2 10.213.9.1/24
plug r1 eth0 br3 10.213.8.1/24 noprefixroute
plug r2 eth0 br3 10.213.8.2/24 noprefixroute
plug v1 eth0 br4 fd13:4::1/64
plug v2 eth0 br4 fd13:4::2/64
plug v3 eth0 br4

for h in f1 f2 m g1 r1 r2; do
  [ -z "$(in_ns "$h" ip -4 route show default)" ] || fail "$h has a default route"
  ! in_ns "$h" ip -4 addr show | grep -q " brd " || fail "$h has a broadcast address configured"
done
for h in r1 r2; do
  [ -z "$(in_ns "$h" ip -4 route show table main)" ] || fail "$h has a route: $(in_ns "$h" ip -4 route)"
done
for h in v1 v2 v3; do
  [ -z "$(in_ns "$h" ip -4 addr show dev eth0)" ] || fail "$h has IPv4 on eth0"
done

# Baseline for the run-time bound: the same client, the same wait, nobody there.
list_servers "$field_ms" f2
[ "$status" -eq 2 ] || fail "field, nobody: expected exit 2, got $status"
base_ms=$took_ms
grep -q "eth0 (10.213.7.255)" "$work/client.log" || fail "field, nobody: did not ask on eth0's computed broadcast"

# expect_server NAME ADDRESS:PORT: exactly one line for NAME, at that address, with a
# latency below the --discover-ms of the run.
expect_server() {
  local name=$1 endpoint=$2 lines latency
  lines=$(grep -F "\"$name\"" <<<"$out")
  [ "$(grep -c . <<<"$lines")" -eq 1 ] || fail "\"$name\": expected one line, got: $lines"
  grep -qF ") $endpoint  \"$name\"" <<<"$lines" || fail "\"$name\" not listed at $endpoint"
  latency=$(grep -o 'latency [0-9.]* ms' <<<"$lines" | awk '{print $2}')
  [ -n "$latency" ] || fail "\"$name\" did not answer the query (no latency)"
  awk -v l="$latency" -v w="$field_ms" 'BEGIN { exit !(l < w) }' || fail "\"$name\" answered after $latency ms"
  echo "MEASURED: \"$name\" at $endpoint answered in $latency ms"
}
# expect_count N: N servers listed, exit 0, run time within the bound.
expect_count() {
  [ "$status" -eq 0 ] || fail "client exit $status"
  [ "$(grep -c '^ *[0-9]*) ' <<<"$out")" -eq "$1" ] || fail "expected $1 servers"
  [ "$took_ms" -le $((2 * base_ms + 2000)) ] || fail "run took $took_ms ms (nobody-there run: $base_ms ms)"
}

# 6. Field LAN; f2 still in IPv6 DAD.
in_ns f2 ip -6 addr show dev eth0 tentative | grep -q fe80 || fail "f2: link-local not tentative (setup)"
start_server f1 8864 --server-name field
list_servers "$field_ms" f2
expect_count 1
expect_server field 10.213.7.1:8864
in_ns f2 ip -6 addr show dev eth0 tentative | grep -q fe80 || fail "f2: DAD ended during the run (setup)"
echo "MEASURED: field LAN run took $took_ms ms (nobody there: $base_ms ms)"

# 7. Two servers on one host, different TCP ports, one discovery port.
start_server f1 8864 --server-name field-two --port 8865
list_servers "$field_ms" f2
expect_count 2
expect_server field 10.213.7.1:8864
expect_server field-two 10.213.7.1:8865
list_servers "$field_ms" f1
expect_count 2
expect_server field 10.213.7.1:8864
expect_server field-two 10.213.7.1:8865

# 8. Multi-homed client: both LANs.
start_server g1 8864 --server-name second-lan
list_servers "$field_ms" m
expect_count 3
expect_server field 10.213.7.1:8864
expect_server field-two 10.213.7.1:8865
expect_server second-lan 10.213.9.1:8864

# 9. No route at all, no IPv6.
start_server r1 8864 --server-name bare
list_servers "$field_ms" r2
expect_count 1
expect_server bare 10.213.8.1:8864
stop_servers
# ... and what servers send unasked, heard on the client's port 8864 (queries go to a
# port nobody answers on): the reference's empty beacon, then our announcements.
start_server r1 8866 --udp-port 8866 --announce-interval 0 --legacy-beacon --server-name legacy
list_servers 1500 r2
[ "$status" -eq 0 ] || fail "bare LAN, legacy beacon: client exit $status"
grep -q '^ 1) 10\.213\.8\.1:8864  (reference server' <<<"$out" || fail "bare LAN: legacy beacon not heard"
stop_servers
start_server r1 8866 --udp-port 8866 --announce-interval 0.2 --server-name announcer
list_servers 1500 r2
[ "$status" -eq 0 ] || fail "bare LAN, announcements: client exit $status"
grep -q '^ 1) 10\.213\.8\.1:8864  "announcer" .* latency -$' <<<"$out" || fail "bare LAN: announcement not heard"
stop_servers

# 10. IPv6 only.
start_server v1 8864 --server-name six
start_server v3 8864 --server-name six-local
v3_ll=$(in_ns v3 ip -6 addr show dev eth0 scope link | awk '/inet6/ {sub("/.*", "", $2); print $2}')
[ -n "$v3_ll" ] || fail "v3 has no link-local address"
list_servers "$field_ms" v2
expect_count 2
expect_server six "[fd13:4::1]:8864"
expect_server six-local "[$v3_ll%eth0]:8864"
! grep '"six"' <<<"$out" | grep -q fe80 || fail "six: link-local shown although fd13:4::1 works"
stop_servers

echo "PASS"
