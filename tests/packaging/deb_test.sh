#!/bin/bash
# The Debian package and the install tree, from the build tree under test:
#  - `cmake --install` into a DESTDIR with an arbitrary prefix puts everything under it,
#    with the unit's paths rewritten to that prefix;
#  - `cpack -G DEB` (into a temp dir) builds checkers_<version>_<arch>.deb whose contents,
#    control fields, Depends and conffiles are checked with dpkg-deb;
#  - the binaries extracted from it (dpkg-deb -x; they use the system's libraries) answer
#    --version and --help, the man pages render, and the extracted server, started with
#    the packaged config file on port 0, accepts a TCP connection and exits 0 on SIGTERM.
# The real thing - dpkg -i into a Debian 12 chroot - is scripts/deb-chroot-test.
# Env: CHECKERS_BUILD_DIR, CHECKERS_SOURCE_DIR (set by CTest).
set -u
build=${CHECKERS_BUILD_DIR:?} src=${CHECKERS_SOURCE_DIR:?}
for tool in cpack dpkg-deb; do
    command -v $tool >/dev/null || { echo "$tool not installed: skipped"; exit 77; }
done
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
bins="checkers-server checkers-client checkers-engine checkers-bench"
pages="checkers-server.1 checkers-client.1 checkers-engine.1"
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
[ -n "$version" ] || { echo "no CPACK_PACKAGE_VERSION in $build/CPackConfig.cmake"; exit 1; }

tmp=$(mktemp -d)
server_pid=
cleanup() {
    [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# --- install tree, prefix /opt/checkers under a DESTDIR -----------------------------------
if ! DESTDIR=$tmp/dest cmake --install "$build" --prefix /opt/checkers >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    fail "cmake --install failed"
fi
root=$tmp/dest/opt/checkers
for b in $bins; do [ -x "$root/bin/$b" ] || fail "install: no bin/$b"; done
for p in $pages; do [ -f "$root/share/man/man1/$p.gz" ] || fail "install: no share/man/man1/$p.gz"; done
[ -f "$root/etc/checkers/server.conf" ] || fail "install: no etc/checkers/server.conf"
unit=$root/lib/systemd/system/checkers-server.service
[ -f "$unit" ] || fail "install: no lib/systemd/system/checkers-server.service"
grep -qxF "ExecStart=/opt/checkers/bin/checkers-server --config /opt/checkers/etc/checkers/server.conf --data-dir /var/lib/checkers" "$unit" ||
    fail "install: unit ExecStart not rewritten to the prefix: $(grep ExecStart "$unit")"
outside=$(cd "$tmp/dest" && find . -type f ! -path './opt/checkers/*')
[ -z "$outside" ] || fail "install: files outside the prefix: $outside"
[ ! -e "$root/bin/checkers-bench-seed" ] || fail "install: the bench harness helper is installed"

# --- the .deb ------------------------------------------------------------------------------
if ! (cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1); then
    cat "$tmp/cpack.log"
    echo "FAIL: cpack -G DEB failed"
    exit 1
fi
deb=$(ls "$tmp"/out/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { cat "$tmp/cpack.log"; echo "FAIL: cpack made no .deb"; exit 1; }
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"
[ "$(basename "$deb")" = "checkers_${version}_$(dpkg --print-architecture).deb" ] ||
    fail "unexpected file name $(basename "$deb")"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' >"$tmp/contents"
expect=(/etc/checkers/server.conf /lib/systemd/system/checkers-server.service)
for b in $bins; do expect+=("/usr/bin/$b"); done
for p in $pages; do expect+=("/usr/share/man/man1/$p.gz"); done
for f in "${expect[@]}"; do grep -qxF "$f" "$tmp/contents" || fail "deb lacks $f"; done
unexpected=$(grep -vE '^/(etc|etc/checkers|lib|lib/systemd|lib/systemd/system|usr|usr/bin|usr/share|usr/share/man|usr/share/man/man1)?$' "$tmp/contents" |
    grep -vxF -f <(printf '%s\n' "${expect[@]}") || true)
[ -z "$unexpected" ] || fail "deb has unexpected files: $unexpected"

field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = checkers ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), expected $version"
depends=$(field Depends)
echo "Depends: $depends"
# Package names without versions; spdlog's shlibs name the virtual libspdlog1.10-fmt9.
echo "$depends" | sed 's/ *([^)]*)//g; s/, */\n/g; s/ *| */\n/g' >"$tmp/depends"
for lib in libc6 libcrypt1 libfmt9 'libspdlog1.10(-fmt9)?' 'libstdc\+\+6'; do
    grep -qxE "$lib" "$tmp/depends" || fail "Depends lacks $lib"
done

dpkg-deb -e "$deb" "$tmp/control"
grep -qxF /etc/checkers/server.conf "$tmp/control/conffiles" 2>/dev/null ||
    fail "/etc/checkers/server.conf is not a conffile"
for s in postinst prerm postrm; do
    [ -x "$tmp/control/$s" ] || fail "no executable $s"
    sh -n "$tmp/control/$s" || fail "$s: shell syntax error"
done

# --- run what the package contains -------------------------------------------------------------
dpkg-deb -x "$deb" "$tmp/root"
r=$tmp/root
for b in $bins; do
    out=$("$r/usr/bin/$b" --version 2>&1) || fail "$b --version exited $?"
    echo "$out" | grep -qF "$b $version" || fail "$b --version printed '$out', not '$b $version ...'"
    "$r/usr/bin/$b" --help >"$tmp/help" 2>&1 || fail "$b --help exited $?"
    grep -q -- "--version" "$tmp/help" || fail "$b --help does not list --version"
done
grep -qxF "ExecStart=/usr/bin/checkers-server --config /etc/checkers/server.conf --data-dir /var/lib/checkers" \
    "$r/lib/systemd/system/checkers-server.service" || fail "packaged unit: wrong ExecStart"
if command -v groff >/dev/null; then
    for p in $pages; do
        warnings=$(zcat "$r/usr/share/man/man1/$p.gz" | groff -man -Tutf8 -ww -z 2>&1)
        [ -z "$warnings" ] || fail "$p: $warnings"
    done
fi

# The packaged server with the packaged config file (all defaults) on an ephemeral port.
mkdir "$tmp/data"
"$r/usr/bin/checkers-server" --config "$r/etc/checkers/server.conf" --listen-addr 127.0.0.1 \
    --port 0 --port-file "$tmp/port" --data-dir "$tmp/data" --no-discovery >"$tmp/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 300); do  # up to 15 s for the port file
    if [ -s "$tmp/port" ]; then port=$(tr -d '\n' <"$tmp/port"); break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.05
done
if [ -z "$port" ]; then
    cat "$tmp/server.log"
    fail "the packaged server did not listen"
else
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "packaged server accepted a connection on port $port"
    else
        fail "no TCP connection to the packaged server on port $port"
    fi
    kill -TERM "$server_pid"
    wait "$server_pid"
    rc=$?
    server_pid=
    [ "$rc" -eq 0 ] || { cat "$tmp/server.log"; fail "server exited $rc on SIGTERM"; }
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "package ok"
