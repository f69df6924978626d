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
  for ns in a b c sw; do ip netns del "$run-$ns" 2>/dev/null; done
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

# Starts checkers-server in namespace $1 with the remaining arguments; waits until its
# discovery UDP port ($2) is bound.
start_server() {
  local ns=$1 udp_port=$2; shift 2
  local data; data=$(mktemp -d "$work/data-$ns.XXXX")
  # Not through in_ns: a backgrounded function would be a subshell, and $! its pid.
  # `ip netns exec` execs the server, so $! is the server itself.
  ip netns exec "$run-$ns" "$server_bin" --data-dir "$data" "$@" >>"$work/server-$ns.log" 2>&1 &
  pids+=($!)
  local deadline=$(( $(now_ms) + 10000 ))
  until in_ns "$ns" ss -Hlun "sport = :$udp_port" | grep -q .; do
    kill -0 "${pids[-1]}" 2>/dev/null || fail "checkers-server in $ns exited (options: $*)"
    [ "$(now_ms)" -lt "$deadline" ] || fail "checkers-server in $ns never bound UDP $udp_port"
    sleep 0.05
  done
}

stop_servers() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  pids=()
}

# Runs `checkers-client --list-servers` on host c; sets out, status, took_ms.
list_servers() {
  local t0; t0=$(now_ms)
  out=$(in_ns c timeout 10 "$client_bin" --list-servers --discover-ms "$1" 2>"$work/client.log")
  status=$?
  took_ms=$(( $(now_ms) - t0 ))
  echo "--- client ($took_ms ms, exit $status):"; echo "$out"; cat "$work/client.log"
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

echo "PASS"
