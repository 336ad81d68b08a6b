#!/usr/bin/env bash
# End-to-end test of scripts/sandbox-fleet against real sshd processes on
# 127.0.0.1: layout, logins with every client key, per-host HOME, stop,
# start, rekey, status, down, a second up, port conflicts and stale pid files.
#
# Usage: tests/sandbox/test-sandbox-fleet.sh [LARGE_N]
# With LARGE_N it also times "up LARGE_N" and "down" on a second fleet.
# Needs python3 to hold ports for the port conflict cases.

# Single-quoted commands are meant to expand on the sandbox host.
# shellcheck disable=SC2016

set -uo pipefail

ROOT=$(cd -- "$(dirname -- "$0")/../.." && pwd -P)
FLEET=$ROOT/scripts/sandbox-fleet
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sandbox-fleet-test.XXXXXX")
DIR=$WORK/fleet
USER_NAME=$(id -un)
HOLDER_PIDS=()
FAILURES=0
CHECKS=0

cleanup() {
    local pid
    for pid in "${HOLDER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for fleet in "$DIR" "$WORK/large" "$WORK/conflict"; do
        [[ -d $fleet/hosts ]] && "$FLEET" down "$fleet" >/dev/null 2>&1
    done
    rm -rf -- "$WORK"
}
trap cleanup EXIT

pass() {
    CHECKS=$((CHECKS + 1))
}

fail() {
    CHECKS=$((CHECKS + 1))
    FAILURES=$((FAILURES + 1))
    printf 'FAIL: %s\n' "$*" >&2
}

check() {
    local description=$1
    shift
    if "$@"; then pass; else fail "$description"; fi
}

check_equal() {
    local description=$1 expected=$2 actual=$3
    if [[ $expected == "$actual" ]]; then
        pass
    else
        fail "$description: expected '$expected', got '$actual'"
    fi
}

check_match() {
    local description=$1 pattern=$2 actual=$3
    if [[ $actual =~ $pattern ]]; then
        pass
    else
        fail "$description: '$actual' does not match /$pattern/"
    fi
}

file_mode() {
    stat -c %a "$1"
}

port_of() {
    cat "$DIR/hosts/$1/port"
}

pid_of() {
    cat "$DIR/hosts/$1/sshd.pid" 2>/dev/null
}

# Run COMMAND on HOST with client key TYPE and strict host key checking.
remote() {
    local host=$1 type=$2
    shift 2
    ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=5 \
        -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes \
        -o IdentitiesOnly=yes -i "$DIR/client/id_$type" \
        -p "$(port_of "$host")" "$USER_NAME@127.0.0.1" "$@"
}

login_fails() {
    ! remote "$1" ed25519 true 2>/dev/null
}

process_alive() {
    local stat
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
    stat=${stat##*) }
    [[ ${stat%% *} != Z ]]
}

# Bind 127.0.0.1:PORT without listening and keep it until the test ends,
# which makes sshd fail to bind while a scan of LISTEN sockets misses it.
hold_port_bound() {
    python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
if sys.argv[2] == "listen":
    s.listen()
print("ready", flush=True)
time.sleep(3600)
' "$1" "$2" >"$WORK/holder.$1" 2>&1 &
    HOLDER_PIDS+=("$!")
    local tries=0
    until grep -q ready "$WORK/holder.$1" 2>/dev/null; do
        tries=$((tries + 1))
        ((tries < 100)) || { fail "python3 could not bind port $1"; return 1; }
        sleep 0.05
    done
}

# Print a base port P such that P+1..P+COUNT are free now.
find_free_base() {
    local count=$1 base=30000 port free
    while ((base < 60000)); do
        free=1
        for ((port = base + 1; port <= base + count; port++)); do
            if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
                free=0
                break
            fi
        done
        ((free)) && { echo "$base"; return 0; }
        base=$((base + 1000))
    done
    return 1
}

test_up_layout() {
    local output
    output=$("$FLEET" up 20 "$DIR" 2>&1)
    check_equal "up exit status" 0 "$?"
    check_match "up summary line" "^sandbox: 20 hosts up in $DIR \(ports [0-9]+-[0-9]+(, not contiguous)?\)$" "$output"

    local type
    for type in ed25519 ecdsa rsa; do
        check_equal "mode of client/id_$type" 600 "$(file_mode "$DIR/client/id_$type")"
        check "client/id_$type.pub exists" test -s "$DIR/client/id_$type.pub"
    done
    check_equal "ecdsa client key size" 256 "$(ssh-keygen -l -f "$DIR/client/id_ecdsa.pub" | cut -d' ' -f1)"
    check_equal "rsa client key size" 3072 "$(ssh-keygen -l -f "$DIR/client/id_rsa.pub" | cut -d' ' -f1)"
    check_equal "authorized_keys line count" 3 "$(wc -l <"$DIR/authorized_keys")"
    check_equal "known_hosts mode" 644 "$(file_mode "$DIR/known_hosts")"
    check_equal "known_hosts line count" 20 "$(wc -l <"$DIR/known_hosts")"
    check_equal "known_hosts line of host07" \
        "[127.0.0.1]:$(port_of host07) $(cut -d' ' -f1,2 "$DIR/hosts/host07/ssh_host_ed25519_key.pub")" \
        "$(sed -n 7p "$DIR/known_hosts")"

    local host
    for host in host01 host20; do
        check "$host has a host key" test -s "$DIR/hosts/$host/ssh_host_ed25519_key"
        check "$host has an sshd log" test -f "$DIR/hosts/$host/sshd.log"
        check "$host home has .profile" test -f "$DIR/hosts/$host/home/.profile"
        check "$host home has .bashrc" test -f "$DIR/hosts/$host/home/.bashrc"
        check "$host sshd is alive" process_alive "$(pid_of "$host")"
        check "$host sshd_config passes sshd -t" /usr/sbin/sshd -t -f "$DIR/hosts/$host/sshd_config"
    done
    check "host21 does not exist" test ! -e "$DIR/hosts/host21"
}

test_inventory() {
    local inventory=$DIR/inventory.yaml
    check "inventory user" grep -qx "  user: $USER_NAME" "$inventory"
    check "inventory identity file" grep -q '^  identity_file: client/id_ed25519' "$inventory"
    check "inventory known_hosts file" grep -qx '  known_hosts_file: known_hosts' "$inventory"
    check "inventory host05 port" grep -A2 -x '  host05:' "$inventory" | grep -qx "    port: $(port_of host05)"
    check_equal "inventory host05 attributes" "    attributes: {dc: dc1, rack: r3, role: web}" \
        "$(grep -A3 -x '  host05:' "$inventory" | tail -n1)"
    check_equal "inventory host04 attributes" "    attributes: {dc: dc2, rack: r2, role: db}" \
        "$(grep -A3 -x '  host04:' "$inventory" | tail -n1)"
    check_equal "inventory host10 attributes" "    attributes: {dc: dc2, rack: r1, role: web}" \
        "$(grep -A3 -x '  host10:' "$inventory" | tail -n1)"
    check_equal "inventory db group" "  db: [host01, host02, host03, host04]" "$(grep '^  db:' "$inventory")"
    check_match "inventory dc1 group" '^  dc1: \[host01, host03, host05, .*, host19\]$' "$(grep '^  dc1:' "$inventory")"
    check_match "inventory web group" '^  web: \[host05, host06, .*, host20\]$' "$(grep '^  web:' "$inventory")"
    if python3 -c 'import yaml' 2>/dev/null; then
        check "inventory parses as YAML" python3 -c '
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
assert len(doc["hosts"]) == 20
assert doc["hosts"]["host01"]["attributes"] == {"dc": "dc1", "rack": "r1", "role": "db"}
assert len(doc["groups"]["dc2"]) == 10
' "$inventory"
    fi
}

test_logins() {
    local host type output
    for host in host01 host02 host13 host20; do
        for type in ed25519 ecdsa rsa; do
            output=$(remote "$host" "$type" 'echo "$HOME|$FLEET_STATE_DIR|$FLEET_HOST"' 2>&1)
            check_equal "login to $host with $type key" \
                "$DIR/hosts/$host/home|$DIR/hosts/$host/home|$host" "$output"
        done
    done

    # Bash sources $HOME/.bashrc for commands run over ssh, so a marker
    # there proves that the host's own startup file is the one read.
    echo 'echo bashrc-of-host02' >"$DIR/hosts/host02/home/.bashrc"
    output=$(remote host02 ed25519 'echo done' 2>&1)
    check_equal "host02 reads its own .bashrc" $'bashrc-of-host02\ndone' "$output"
    : >"$DIR/hosts/host02/home/.bashrc"

    echo 'echo profile-of-host02' >"$DIR/hosts/host02/home/.profile"
    output=$(echo 'echo "$HOME"' | remote host02 ed25519 2>/dev/null)
    check_match "login shell reads the host's .profile" "profile-of-host02" "$output"
    check_match "login shell has the host's HOME" "$DIR/hosts/host02/home" "$output"
    : >"$DIR/hosts/host02/home/.profile"

    output=$(sftp -F /dev/null -o BatchMode=yes -o UserKnownHostsFile="$DIR/known_hosts" \
        -o StrictHostKeyChecking=yes -i "$DIR/client/id_ed25519" -P "$(port_of host03)" \
        "$USER_NAME@127.0.0.1" <<<"ls $DIR/hosts/host03/home/.profile" 2>&1)
    check_match "sftp subsystem" "host03/home/.profile" "$output"
}

test_status() {
    local output
    output=$("$FLEET" status "$DIR")
    check_equal "status exit status" 0 "$?"
    check_equal "status line count" 21 "$(wc -l <<<"$output")"
    check_match "status of host07" "^host07 +$(port_of host07) +$(pid_of host07) +running$" \
        "$(grep '^host07 ' <<<"$output")"
}

test_stop_start() {
    local port old_pid output
    port=$(port_of host03)
    old_pid=$(pid_of host03)

    output=$("$FLEET" stop "$DIR" host03)
    check_equal "stop exit status" 0 "$?"
    check_equal "stop message" "sandbox: host03 stopped (port $port)" "$output"
    check "stopped sshd is gone" test -z "$(process_alive "$old_pid" && echo alive)"
    check "stop removes the pid file" test ! -e "$DIR/hosts/host03/sshd.pid"
    check "stop keeps the log" test -s "$DIR/hosts/host03/sshd.log"
    check "stopped host refuses logins" login_fails host03
    check_match "status shows host03 stopped" "^host03 +$port +- +stopped$" "$("$FLEET" status "$DIR" | grep '^host03 ')"
    check "host04 still runs" process_alive "$(pid_of host04)"

    output=$("$FLEET" stop "$DIR" host03)
    check_equal "second stop exit status" 0 "$?"
    check_equal "second stop message" "sandbox: host03 was not running (port $port)" "$output"

    output=$("$FLEET" start "$DIR" host03)
    check_equal "start exit status" 0 "$?"
    check_equal "start message" "sandbox: host03 started (port $port)" "$output"
    check_equal "start keeps the port" "$port" "$(port_of host03)"
    check_equal "login after start" "$DIR/hosts/host03/home" "$(remote host03 ed25519 'echo $HOME' 2>&1)"

    output=$("$FLEET" start "$DIR" host03)
    check_equal "start of a running host exit status" 0 "$?"
    check_match "start of a running host message" "already running" "$output"

    "$FLEET" stop "$DIR" host99 >/dev/null 2>&1
    check_equal "stop of an unknown host fails" 1 "$?"
    "$FLEET" stop "$DIR" ../host01 >/dev/null 2>&1
    check_equal "stop of an invalid host name fails" 1 "$?"
}

test_rekey() {
    local port old_key output
    port=$(port_of host04)
    old_key=$(cat "$DIR/hosts/host04/ssh_host_ed25519_key.pub")
    cp "$DIR/known_hosts" "$WORK/known_hosts.before"

    output=$("$FLEET" rekey "$DIR" host04)
    check_equal "rekey exit status" 0 "$?"
    check "rekey replaces the host key" test "$old_key" != "$(cat "$DIR/hosts/host04/ssh_host_ed25519_key.pub")"
    check "rekey leaves known_hosts alone" cmp -s "$WORK/known_hosts.before" "$DIR/known_hosts"
    check_equal "rekey keeps the port" "$port" "$(port_of host04)"

    output=$(remote host04 ed25519 true 2>&1)
    check_equal "strict login after rekey exit status" 255 "$?"
    check_match "strict login after rekey reports a changed key" "REMOTE HOST IDENTIFICATION HAS CHANGED" "$output"
    check_equal "other hosts still log in after rekey" "host05" "$(remote host05 ed25519 'echo $FLEET_HOST' 2>&1)"
}

test_up_rejects() {
    local output
    output=$("$FLEET" up 20 "$DIR" 2>&1)
    check_equal "up on a running fleet exit status" 1 "$?"
    check_match "up on a running fleet message" "already has a running fleet" "$output"

    "$FLEET" up 0 "$WORK/bad" >/dev/null 2>&1
    check_equal "up with N=0 exit status" 2 "$?"
    "$FLEET" up abc "$WORK/bad" >/dev/null 2>&1
    check_equal "up with N=abc exit status" 2 "$?"
    "$FLEET" up 2 "$WORK/bad" --base-port 70000 >/dev/null 2>&1
    check_equal "up with base port 70000 exit status" 2 "$?"
    "$FLEET" up 2 "$WORK/bad dir" >/dev/null 2>&1
    check_equal "up with a space in DIR exit status" 1 "$?"
    "$FLEET" frobnicate >/dev/null 2>&1
    check_equal "unknown command exit status" 2 "$?"
}

test_stale_pid_file() {
    # A pid file that names an unrelated process must not make down signal it.
    sleep 300 &
    local sleeper=$!
    "$FLEET" stop "$DIR" host06 >/dev/null
    echo "$sleeper" >"$DIR/hosts/host06/sshd.pid"
    check_match "status ignores a foreign pid" "^host06 +[0-9]+ +- +stopped$" "$("$FLEET" status "$DIR" | grep '^host06 ')"

    "$FLEET" start "$DIR" host06 >/dev/null
    check_equal "start over a foreign pid exit status" 0 "$?"
    check "start over a foreign pid leaves it alive" process_alive "$sleeper"
    "$FLEET" stop "$DIR" host06 >/dev/null
    echo "$sleeper" >"$DIR/hosts/host06/sshd.pid"

    local -a pids=()
    local pid_file
    for pid_file in "$DIR"/hosts/*/sshd.pid; do
        pids+=("$(cat "$pid_file")")
    done

    local output
    output=$("$FLEET" down "$DIR" 2>&1)
    check_equal "down exit status" 0 "$?"
    check_match "down warns about the stale pid file" "stale pid file .*host06" "$output"
    check_match "down message" "sandbox: stopped 19 sshd processes in $DIR" "$output"
    check "down leaves the foreign process alive" process_alive "$sleeper"
    kill "$sleeper"
    wait "$sleeper" 2>/dev/null

    local pid alive=0
    for pid in "${pids[@]}"; do
        [[ $pid == "$sleeper" ]] && continue
        process_alive "$pid" && alive=$((alive + 1))
    done
    check_equal "sshd processes alive after down" 0 "$alive"
    check_equal "pid files left after down" 0 "$(find "$DIR/hosts" -name sshd.pid | wc -l)"
    check "down keeps logs" test -s "$DIR/hosts/host01/sshd.log"
    check "down keeps keys" test -s "$DIR/client/id_ed25519"

    output=$("$FLEET" down "$DIR" 2>&1)
    check_equal "second down exit status" 0 "$?"
    check_equal "second down message" "sandbox: stopped 0 sshd processes in $DIR" "$output"
}

test_up_again() {
    local client_key host_key output
    client_key=$(cat "$DIR/client/id_ed25519.pub")
    host_key=$(cat "$DIR/hosts/host01/ssh_host_ed25519_key.pub")
    echo state >"$DIR/hosts/host01/home/state-file"

    output=$("$FLEET" up 5 "$DIR" 2>&1)
    check_equal "second up exit status" 0 "$?"
    check_equal "second up reuses the client key" "$client_key" "$(cat "$DIR/client/id_ed25519.pub")"
    check_equal "second up reuses the host key" "$host_key" "$(cat "$DIR/hosts/host01/ssh_host_ed25519_key.pub")"
    check "second up resets home" test ! -e "$DIR/hosts/host01/home/state-file"
    check "second up removes host06" test ! -e "$DIR/hosts/host06"
    check_equal "second up known_hosts line count" 5 "$(wc -l <"$DIR/known_hosts")"
    check_equal "login after the second up" host04 "$(remote host04 rsa 'echo $FLEET_HOST' 2>&1)"
    "$FLEET" down "$DIR" >/dev/null
}

test_port_conflicts() {
    local base listening bound output
    base=$(find_free_base 6) || { fail "no free port range for the conflict test"; return; }
    listening=$((base + 2))
    bound=$((base + 4))
    hold_port_bound "$listening" listen || return
    hold_port_bound "$bound" bind || return

    DIR=$WORK/conflict
    output=$("$FLEET" up 4 "$DIR" --base-port "$base" 2>&1)
    check_equal "up around used ports exit status" 0 "$?"
    check_match "up around used ports summary" "not contiguous" "$output"
    check_equal "host01 port" $((base + 1)) "$(port_of host01)"
    check_equal "host02 skips the listening port" $((base + 3)) "$(port_of host02)"
    check "host03 avoids the bound port" test "$(port_of host03)" != "$bound"
    check "host04 avoids the bound port" test "$(port_of host04)" != "$bound"
    check_equal "login to host03 after a bind retry" host03 "$(remote host03 ed25519 'echo $FLEET_HOST' 2>&1)"
    check_equal "login to host04 after a bind retry" host04 "$(remote host04 ed25519 'echo $FLEET_HOST' 2>&1)"
    check "known_hosts has host02's port" grep -q "^\[127.0.0.1\]:$((base + 3)) " "$DIR/known_hosts"

    # Another program takes host01's port while host01 is stopped.
    "$FLEET" stop "$DIR" host01 >/dev/null
    python3 -c '
import socket, sys, subprocess
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
r = subprocess.run([sys.argv[2], "start", sys.argv[3], "host01"], capture_output=True, text=True)
print(r.returncode, r.stderr.strip())
' $((base + 1)) "$FLEET" "$DIR" >"$WORK/start-on-busy-port" 2>&1
    check_match "start on a busy port fails" "^1 .*port $((base + 1)) is in use" "$(cat "$WORK/start-on-busy-port")"
    "$FLEET" down "$DIR" >/dev/null
    DIR=$WORK/fleet
}

test_large() {
    local count=$1 output start_ns end_ns
    DIR=$WORK/large
    start_ns=$(date +%s%N)
    output=$("$FLEET" up "$count" "$DIR" 2>&1)
    check_equal "up $count exit status" 0 "$?"
    end_ns=$(date +%s%N)
    printf 'up %s hosts: %d ms (%s)\n' "$count" $(((end_ns - start_ns) / 1000000)) "$output"
    local -a host_dirs=("$DIR"/hosts/*)
    local last_host=${host_dirs[-1]##*/}
    check_equal "login to the last host" "$last_host" "$(remote "$last_host" ed25519 'echo $FLEET_HOST' 2>&1)"

    start_ns=$(date +%s%N)
    output=$("$FLEET" down "$DIR" 2>&1)
    check_equal "down $count exit status" 0 "$?"
    end_ns=$(date +%s%N)
    printf 'down %s hosts: %d ms (%s)\n' "$count" $(((end_ns - start_ns) / 1000000)) "$output"
    DIR=$WORK/fleet
}

test_up_layout
test_inventory
test_logins
test_status
test_stop_start
test_rekey
test_up_rejects
test_stale_pid_file
test_up_again
test_port_conflicts
if (($# > 0)); then
    test_large "$1"
fi

printf '%d checks, %d failed\n' "$CHECKS" "$FAILURES"
((FAILURES == 0))
