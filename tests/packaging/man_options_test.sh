#!/bin/bash
# The man pages cannot drift from the binaries: for checkers-server, checkers-client and
# checkers-engine, the long options their --help (and every subcommand's --help) lists
# must be exactly those in the man page's OPTIONS section, every subcommand must be in
# the page, the sample config must list every server option, and the pages must render
# without groff warnings.
# Env: CHECKERS_BUILD_DIR, CHECKERS_SOURCE_DIR (set by CTest).
set -u
build=${CHECKERS_BUILD_DIR:?} src=${CHECKERS_SOURCE_DIR:?}
bin=$build/bin man=$src/docs/man
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Long options defined in a CLI11 --help text: the first --name on each option line.
help_options() {
    "$@" --help | grep -E '^ +(-[a-zA-Z], ?)?--[a-z]' |
        sed -E 's/^ +(-[a-zA-Z], ?)?(--[a-z0-9-]+).*/\2/'
}
# Subcommand names in a CLI11 --help text (the SUBCOMMANDS section).
help_subcommands() {
    "$@" --help | awk '/^(SUBCOMMANDS|Subcommands):/ {on = 1; next} on && /^ +[a-z]/ {print $1}'
}
# Long options tagged in the OPTIONS section of a man page (the line after each .TP).
man_tagged_first_options() {
    sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$1" | awk 'tp {print; tp = 0} /^\.TP/ {tp = 1}' |
        sed 's/\\-/-/g' | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

compare() {  # name, file with --help options, man page
    local name=$1 from_help=$2 page=$3
    local in_man
    in_man=$(man_tagged_first_options "$page")
    local only_help only_man
    only_help=$(comm -23 <(sort -u "$from_help") <(echo "$in_man"))
    only_man=$(comm -13 <(sort -u "$from_help") <(echo "$in_man"))
    [ -z "$only_help" ] || fail "$name: in --help but not in $page OPTIONS: $(echo $only_help)"
    [ -z "$only_man" ] || fail "$name: in $page OPTIONS but not in --help: $(echo $only_man)"
    echo "$name: $(sort -u "$from_help" | wc -l) options compared"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# checkers-server: the top level, `user` and each `user` subcommand (their options are
# server options); `game` and its subcommands, whose own options belong in COMMANDS.
srv=$bin/checkers-server
{
    help_options "$srv"
    help_options "$srv" user
    for sub in $(help_subcommands "$srv" user); do help_options "$srv" user "$sub"; done
} >"$tmp/server"
commands=$(sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$man/checkers-server.1" | sed 's/\\-/-/g; s/"//g')
for group in user game; do
    subs=$(help_subcommands "$srv" $group)
    [ -n "$subs" ] || fail "checkers-server $group --help lists no subcommands"
    for sub in $subs; do
        sed 's/\\-/-/g; s/"//g' "$man/checkers-server.1" | grep -q "$group $sub" ||
            fail "checkers-server: subcommand '$group $sub' is not in checkers-server.1"
        for opt in $(help_options "$srv" $group "$sub" | grep -v -- --help); do
            grep -q -- "$opt" <<<"$commands" ||
                fail "checkers-server: '$group $sub $opt' is not in the COMMANDS section"
        done
    done
done
compare checkers-server "$tmp/server" "$man/checkers-server.1"

# checkers-client: no subcommands.
help_options "$bin/checkers-client" >"$tmp/client"
compare checkers-client "$tmp/client" "$man/checkers-client.1"

# checkers-engine: the top level and each command.
eng=$bin/checkers-engine
subs=$(help_subcommands "$eng")
[ -n "$subs" ] || fail "checkers-engine --help lists no commands"
{
    help_options "$eng"
    for sub in $subs; do help_options "$eng" "$sub"; done
} >"$tmp/engine"
for sub in $subs; do
    sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$man/checkers-engine.1" | grep -qE "^\.BI? \"?$sub( |\"|$)" ||
        fail "checkers-engine: command '$sub' is not in the COMMANDS section of checkers-engine.1"
done
compare checkers-engine "$tmp/engine" "$man/checkers-engine.1"

# Every server option can be set in the config file, so the sample lists each one
# (except --help, --version, --config itself).
sample=$src/packaging/server.conf
for opt in $(sort -u "$tmp/server"); do
    case $opt in --help | --version | --config) continue ;; esac
    grep -qE "^#${opt#--} = " "$sample" || fail "packaging/server.conf does not list ${opt#--}"
done

# Rendering: no groff warnings (man -l uses the same formatter).
if command -v groff >/dev/null; then
    for page in "$man"/*.1; do
        warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
        [ -z "$warnings" ] || fail "$page: groff warnings: $warnings"
        for section in NAME SYNOPSIS DESCRIPTION OPTIONS "SEE ALSO"; do
            grep -q "^\.SH \"\?$section" "$page" || fail "$page: no $section section"
        done
    done
else
    echo "groff not installed: rendering not checked"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "man pages match --help"
