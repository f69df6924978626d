#!/bin/bash
# packaging/checkers-server.service: `systemd-analyze verify` accepts it without a single
# complaint (ExecStart pointed at the build's binary through a temp copy), it keeps the
# hardening the server is meant to run with, and `systemd-analyze security` rates its
# exposure low. Exit 77 (skipped) only when systemd-analyze is not installed.
# Env: CHECKERS_BUILD_DIR, CHECKERS_SOURCE_DIR (set by CTest).
set -u
build=${CHECKERS_BUILD_DIR:?} src=${CHECKERS_SOURCE_DIR:?}
unit=$src/packaging/checkers-server.service
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed: skipped"; exit 77; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/bin/checkers-server|$build/bin/checkers-server|" "$unit" >"$tmp/checkers-server.service"
grep -q "^ExecStart=$build/bin/checkers-server " "$tmp/checkers-server.service" ||
    fail "ExecStart does not start /usr/bin/checkers-server"

out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$tmp/checkers-server.service" 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || fail "systemd-analyze verify exited $rc"
# Unknown keys, bad values and missing executables are only warnings: none allowed.
complaints=$(echo "$out" | grep -i "checkers-server" || true)
[ -z "$complaints" ] || fail "systemd-analyze verify complained: $complaints"

for line in 'DynamicUser=yes' 'StateDirectory=checkers' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
    'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK' 'Restart=on-failure' \
    'ExecReload=/bin/kill -HUP $MAINPID' 'CapabilityBoundingSet=' 'MemoryDenyWriteExecute=yes' \
    'LockPersonality=yes' 'SystemCallArchitectures=native' 'ProtectKernelTunables=yes' \
    'ProtectKernelModules=yes' 'ProtectControlGroups=yes' \
    'ExecStart=/usr/bin/checkers-server --config /etc/checkers/server.conf --data-dir /var/lib/checkers'; do
    grep -qxF -- "$line" "$unit" || fail "unit lacks '$line'"
done
nofile=$(sed -n 's/^LimitNOFILE=//p' "$unit")
[ "${nofile:-0}" -ge 16384 ] 2>/dev/null || fail "LimitNOFILE=${nofile:-unset} is not raised (>= 16384)"

# Exposure score (0 = locked down, 10 = unprotected); offline mode needs systemd >= 250.
if security=$(cd "$tmp" && systemd-analyze security --offline=yes --no-pager "$tmp/checkers-server.service" 2>&1); then
    score=$(echo "$security" | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
    echo "systemd-analyze security: exposure ${score:-?}"
    if [ -n "$score" ]; then
        awk -v s="$score" 'BEGIN {exit !(s <= 2.5)}' || fail "exposure level $score > 2.5"
    else
        fail "no exposure level in: $security"
    fi
else
    echo "systemd-analyze security --offline not supported here: exposure not checked"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "unit verified"
