#!/usr/bin/env bash
# A real multi-host Open MPI run of dogcat-mpi on this one machine, with Linux network
# namespaces as the hosts. Needs root (CAP_SYS_ADMIN + CAP_NET_ADMIN), iproute2, unshare.
#
#   scripts/netns-cluster.sh up     create the "cluster" (says so if it is already up)
#   scripts/netns-cluster.sh run [--keep] [--per-host N] [--input PATH] [dogcat args...]
#   scripts/netns-cluster.sh down   remove everything `up` created
#
# The cluster: namespaces dogcat-h1..h3, each with `lo` and an `eth0` at 10.213.47.11..13/24,
# the other end of each veth pair (dogcat-v1..v3) on the bridge dogcat-br0 (10.213.47.1/24)
# in the root namespace. No default route anywhere in it, IPv6 off on its links: traffic
# can only go between these addresses (and loopback), never off the machine.
#
# `run` brings the cluster up if needed, then:
#   1. runs dogcat-mpi under mpirun on the 3 hosts (hostfile of IP addresses, so no name is
#      ever resolved via DNS), launched through scripts/cluster/netns-agent.sh instead of ssh; each
#      host gets its own hostname (the namespace's name). Transports: `--mca btl self,tcp`
#      (with --per-host N > 1: self,vader,tcp, i.e. shared memory only within a host),
#      restricted to 10.213.47.0/24 for both MPI and Open MPI's own out-of-band channel;
#   2. runs the same job on one host the ordinary way (mpirun -np 1, in the root namespace);
#   3. checks: the two results.csv files are byte-identical (cmp), every veth carried
#      at least MIN_BYTES (byte counters from `ip -s link`, printed before/after) and
#      dogcat's timing table names 3 distinct hosts.
# It exits 0 only if all checks pass. The input defaults to ../shared/data/photos/labels.csv
# beside the repository; other arguments go to dogcat-mpi after `--model models/catsordogs.h5
# --place none` (repository's model), so they can override those; --output is the script's:
# two temporary directories, removed at the end. Relative paths are relative to the current
# directory, which the ranks on every host share (--wdir).
# At the end, success or failure (trap), `run` tears the cluster down, unless --keep is given;
# and it tears it down only if it brought it up itself.
#
# Exit status: 0 all good, 77 not permitted here (not root, no namespaces), 1 anything else.
# Environment: DOGCAT_BIN (default: .build/release/dogcat-mpi in the repository root),
# DOGCAT_NETNS_MIN_BYTES (default 1048576: the model broadcast alone is tens of MB).
set -euo pipefail

readonly REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly AGENT=$REPO/scripts/cluster/netns-agent.sh
readonly NET=10.213.47                  # the private /24
readonly CIDR=$NET.0/24
readonly BRIDGE=dogcat-br0              # in the root namespace, $NET.1
readonly NS_PREFIX=dogcat-h             # namespaces dogcat-h1..h3 at $NET.11..13
readonly VETH_PREFIX=dogcat-v           # root-side veth ends dogcat-v1..v3
readonly HOSTS=3
readonly WORK_PREFIX=/tmp/dogcat-netns    # run's temporary directories: $WORK_PREFIX.XXXXXX
readonly MIN_BYTES=${DOGCAT_NETNS_MIN_BYTES:-1048576}
BIN=${DOGCAT_BIN:-$REPO/.build/release/dogcat-mpi}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}'; }
say() { echo "netns-cluster: $*"; }
die() { echo "netns-cluster: error: $*" >&2; exit 1; }

ns_name() { echo "$NS_PREFIX$1"; }
veth_name() { echo "$VETH_PREFIX$1"; }
host_ip() { echo "$NET.$((10 + $1))"; }

# Everything of ours that exists now, one name per line.
our_namespaces() { ip netns list | awk '{print $1}' | grep "^$NS_PREFIX" || true; }
our_links() { ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' | grep -E "^($BRIDGE|$VETH_PREFIX[0-9]+)$" || true; }

# Checks we may make namespaces at all; exits 77 ("skipped") if not, so callers (the
# tests) can tell "not permitted here" from a failure.
check_permitted() {
    local why=
    if ! command -v ip >/dev/null || ! command -v unshare >/dev/null || ! command -v flock >/dev/null; then
        why="needs iproute2 (ip), unshare and flock"
    elif [ "$(id -u)" != 0 ]; then
        why="must run as root (needs CAP_NET_ADMIN and CAP_SYS_ADMIN)"
    elif ! ip netns list >/dev/null 2>&1 || ! unshare --net --uts true 2>/dev/null; then
        why="cannot create network/UTS namespaces here (no CAP_SYS_ADMIN/CAP_NET_ADMIN?)"
    fi
    [ -z "$why" ] || { echo "netns-cluster: not permitted: $why" >&2; exit 77; }
}

# One lock for up/run/down (on this script file, so no lock file to clean up): two runs
# at once would tear down each other's cluster. Children do not inherit it (9>&-).
take_lock() {
    exec 9<"${BASH_SOURCE[0]}"
    flock -w 300 9 || die "another netns-cluster.sh up/run/down is running (waited 300 s)"
}

# Disables IPv6 on one interface (best effort): no router solicitations or neighbour
# discovery chatter on our links, so the byte counters show MPI and Open MPI traffic only.
ipv6_off() { # [namespace] interface
    if [ $# = 2 ]; then
        ip netns exec "$1" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$2/disable_ipv6" 2>/dev/null || true
    else
        echo 1 > "/proc/sys/net/ipv6/conf/$1/disable_ipv6" 2>/dev/null || true
    fi
}

is_up() {
    local i
    ip link show "$BRIDGE" >/dev/null 2>&1 || return 1
    for i in $(seq 1 $HOSTS); do
        ip -n "$(ns_name "$i")" -o -4 addr show dev eth0 2>/dev/null | grep -q " $(host_ip "$i")/24 " || return 1
        ip link show "$(veth_name "$i")" >/dev/null 2>&1 || return 1
    done
}

add_host() { # index
    local ns veth
    ns=$(ns_name "$1") veth=$(veth_name "$1")
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ipv6_off "$veth"
    ipv6_off "$ns" eth0
    ipv6_off "$ns" lo
    ip link set "$veth" master "$BRIDGE" up
    ip -n "$ns" addr add "$(host_ip "$1")/24" dev eth0
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 up
}

cluster_up() {
    if is_up; then
        say "already up: $(our_namespaces | tr '\n' ' ')on $CIDR"
        return 0
    fi
    if [ -n "$(our_namespaces)$(our_links)" ]; then
        say "found a partial cluster; removing it first"
        cluster_down
    fi
    ip link add "$BRIDGE" type bridge
    ipv6_off "$BRIDGE"
    ip addr add "$NET.1/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    local i
    for i in $(seq 1 $HOSTS); do add_host "$i"; done
    say "up: $HOSTS hosts $(for i in $(seq 1 $HOSTS); do printf '%s=%s ' "$(ns_name "$i")" "$(host_ip "$i")"; done)bridge $BRIDGE=$NET.1"
}

# Kills every process still in one namespace: TERM, then KILL for whatever is left.
kill_namespace_processes() { # namespace
    local pids attempt
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        pids=$(ip netns pids "$1" 2>/dev/null || true)
        [ -n "$pids" ] || return 0
        if [ "$attempt" = 1 ]; then
            say "killing what is left in $1: $(echo $pids)"
            kill -TERM $pids 2>/dev/null || true
        else
            kill -KILL $pids 2>/dev/null || true
        fi
        sleep 0.2
    done
    say "warning: processes still in $1: $(echo $(ip netns pids "$1" 2>/dev/null))"
}

# Returns non-zero, saying what is left, if anything could not be removed.
cluster_down() {
    local ns link left
    for ns in $(our_namespaces); do
        kill_namespace_processes "$ns"
        ip netns del "$ns" || true
    done
    # Deleting a namespace deletes its veth pair; the bridge (and any stray veth) goes here.
    for link in $(our_links); do ip link del "$link" 2>/dev/null || true; done
    left="$(our_namespaces) $(our_links)"
    if [ -n "${left// /}" ]; then echo "netns-cluster: error: could not remove: $(echo $left)" >&2; return 1; fi
}

# Prints "RX TX" bytes of one root-side veth end, as `ip -s link` reports them.
veth_bytes() { # veth
    ip -s link show dev "$1" | awk '/RX:/ {getline; rx = $1} /TX:/ {getline; tx = $1} END {print rx, tx}'
}

snapshot_counters() { # file
    local i
    for i in $(seq 1 $HOSTS); do echo "$(veth_name "$i") $(veth_bytes "$(veth_name "$i")")"; done > "$1"
}

# Prints the counters before and after, and checks every veth carried at least MIN_BYTES.
check_traffic() { # before after
    say "TCP traffic through the veths (ip -s link, root-side ends: RX = from the host, TX = to it):"
    join "$1" "$2" | awk -v min="$MIN_BYTES" -v prefix="$NS_PREFIX" '
        BEGIN { printf "  %-10s %-10s %14s %14s %14s %14s %12s\n", "veth", "host", "RX before", "RX after", "TX before", "TX after", "moved" }
        {
            moved = ($4 - $2) + ($5 - $3)
            host = $1; sub(/^.*-v/, prefix, host)
            printf "  %-10s %-10s %14d %14d %14d %14d %12d\n", $1, host, $2, $4, $3, $5, moved
            if (moved < min) short = short " " $1
        }
        END { if (short != "") { print "  fewer than " min " bytes through:" short; exit 1 } }'
}

# Runs a command in the background (so traps fire at once), showing and logging its output.
# Returns the command's status.
run_logged() { # log command...
    local log=$1 status=0
    shift
    : >"$log"
    "$@" </dev/null >"$log" 2>&1 9>&- &
    CHILD=$!
    tail -n +1 -s 0.1 -f --pid="$CHILD" "$log" 9>&- &
    local tailer=$!
    wait "$CHILD" || status=$?
    CHILD=
    wait "$tailer" || true
    return $status
}

# The host column of dogcat's timing table (rows after the "rank  host" header).
table_hosts() { # log
    awk '/^rank +host/ {t = 1; next} t && /^ *[0-9]+ / {print $2} t && !/^ *[0-9]+ / {t = 0}' "$1"
}

# mpirun as root; no X11 probing by hwloc's GL plugin (it tries 127.0.0.1:6000-6009).
readonly MPI_ENV=(OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 HWLOC_COMPONENTS=-gl)

mpi_cluster() { # np output-dir dogcat args...
    local np=$1 output=$2 btl=self,tcp
    shift 2
    [ "$PER_HOST" = 1 ] || btl=self,vader,tcp
    # The agent inherits this environment; drop btl/pml settings (e.g. scripts/test.sh's
    # self,vader) so only the --mca options below count.
    exec env -u OMPI_MCA_btl -u OMPI_MCA_pml "${MPI_ENV[@]}" \
        mpirun -np "$np" --hostfile "$WORK/hostfile" --oversubscribe --bind-to none \
        --wdir "$PWD" \
        --mca plm_rsh_agent "$AGENT" --mca plm_rsh_no_tree_spawn 1 \
        --mca pml ob1 --mca btl "$btl" \
        --mca btl_tcp_if_include "$CIDR" --mca oob_tcp_if_include "$CIDR" \
        "$BIN" --output "$output" "$@"
}

mpi_single() { # output-dir dogcat args...
    local output=$1
    shift
    exec env -u OMPI_MCA_btl -u OMPI_MCA_pml "${MPI_ENV[@]}" \
        mpirun -np 1 --mca pml ob1 --mca btl self,vader "$BIN" --output "$output" "$@"
}

# Cleanup for `run`, on every exit: stop a running mpirun, tear down, remove the work dir.
# OWNER: "" before the cluster was looked at, "us" if this run brings it up, "before" if it was up.
WORK= CHILD= KEEP=0 OWNER=
on_exit() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$CHILD" ]; then kill -TERM "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
    if [ "$OWNER" = us ] && [ "$KEEP" = 0 ]; then
        if cluster_down; then say "down"; else status=1; fi
    elif [ "$OWNER" = us ]; then
        say "--keep: cluster left up; remove it with: $0 down"
    elif [ "$OWNER" = before ]; then
        say "cluster left up (it was up before this run); remove it with: $0 down"
    fi
    [ -z "$WORK" ] || rm -rf "$WORK"
    [ "$status" = 0 ] || echo "netns-cluster: FAILED (exit $status)" >&2
    exit "$status"
}

cmd_run() {
    local input=$REPO/../shared/data/photos/labels.csv
    local args=()
    PER_HOST=1
    while [ $# -gt 0 ]; do
        case $1 in
            --keep) KEEP=1; shift ;;
            --per-host) PER_HOST=${2:?--per-host needs a number}; shift 2 ;;
            --input) input=${2:?--input needs a path}; shift 2 ;;
            --input=*) input=${1#--input=}; shift ;;
            --output|--output=*) die "--output is chosen by this script" ;;
            *) args+=("$1"); shift ;;
        esac
    done
    [[ $PER_HOST =~ ^[1-9][0-9]*$ ]] || die "--per-host wants a positive number"
    [ -x "$BIN" ] || die "no dogcat-mpi binary at $BIN (build it, or set DOGCAT_BIN)"
    BIN=$(realpath "$BIN")

    trap on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    WORK=$(mktemp -d "$WORK_PREFIX.XXXXXX")
    if is_up; then OWNER=before; else OWNER=us; fi
    cluster_up
    local i np=$((HOSTS * PER_HOST))
    for i in $(seq 1 $HOSTS); do echo "$(host_ip "$i") slots=$PER_HOST"; done > "$WORK/hostfile"
    local dogcat=(--input "$input" --model "$REPO/models/catsordogs.h5" --place none "${args[@]}")

    say "cluster run: $np ranks on $HOSTS hosts ($PER_HOST per host), TCP between hosts, binary $BIN"
    snapshot_counters "$WORK/before"
    local t0=$EPOCHREALTIME
    run_logged "$WORK/cluster.log" mpi_cluster "$np" "$WORK/cluster" "${dogcat[@]}" \
        || die "the cluster run failed (see above)"
    local cluster_s
    cluster_s=$(elapsed "$t0")
    snapshot_counters "$WORK/after"

    say "single-host reference: mpirun -np 1 (shared memory, root namespace)"
    t0=$EPOCHREALTIME
    run_logged "$WORK/single.log" mpi_single "$WORK/single" "${dogcat[@]}" \
        || die "the single-host run failed (see above)"
    local single_s
    single_s=$(elapsed "$t0")

    local failed=0
    check_traffic "$WORK/before" "$WORK/after" || { say "FAIL: not enough traffic between the namespaces"; failed=1; }
    local hosts
    hosts=$(table_hosts "$WORK/cluster.log" | sort -u)
    say "hosts in dogcat's timing table: $(echo $hosts)"
    [ "$(echo "$hosts" | grep -c "^$NS_PREFIX")" = "$HOSTS" ] \
        || { say "FAIL: expected $HOSTS distinct $NS_PREFIX* hosts in the timing table"; failed=1; }
    if cmp "$WORK/cluster/results.csv" "$WORK/single/results.csv"; then
        say "results.csv identical: $HOSTS-host run ($np ranks, ${cluster_s} s) = single-host run (1 rank, ${single_s} s), $(($(wc -l < "$WORK/single/results.csv") - 1)) rows"
    else
        say "FAIL: results.csv differs between the cluster and single-host runs"
        failed=1
    fi
    [ "$failed" = 0 ] || die "checks failed"
    say "PASS"
}

# Also removes work directories of runs that were killed (-9) midway: none can be running
# while we hold the lock.
cmd_down() {
    rm -rf "$WORK_PREFIX".??????
    if [ -z "$(our_namespaces)$(our_links)" ]; then say "nothing to remove"; return 0; fi
    cluster_down || exit 1
    say "down"
}

main() {
    [ $# -ge 1 ] || die "usage: $0 up | run [--keep] [--per-host N] [--input PATH] [dogcat args...] | down"
    local command=$1
    shift
    check_permitted
    take_lock
    case $command in
        up) cluster_up ;;
        down) cmd_down ;;
        run) cmd_run "$@" ;;
        *) die "unknown command '$command' (up, run or down)" ;;
    esac
}

main "$@"
