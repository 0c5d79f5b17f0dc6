#!/usr/bin/env bash
# Open MPI launch agent for the network-namespace "cluster" of scripts/netns-cluster.sh
# (a helper, not run by hand: netns-cluster.sh passes it to mpirun).
#
# Open MPI calls its rsh agent as `AGENT [ssh-style options] HOST COMMAND...` (set with
# `--mca plm_rsh_agent PATH`). Instead of ssh, this agent:
#   1. skips the ssh-style options;
#   2. maps HOST (an address from the hostfile, or a namespace name) to the network
#      namespace that owns it (only namespaces named dogcat-h*; anything else is refused);
#   3. runs COMMAND with `sh -c` inside that namespace, in a fresh UTS namespace whose
#      hostname is the namespace's name, so every "host" has its own name (Open MPI keys
#      its session directories and shared-memory segments on the hostname).
# The agent inherits mpirun's environment (unlike real ssh), so orted is found on PATH.
set -euo pipefail

NETNS_PREFIX=${DOGCAT_NETNS_PREFIX:-dogcat-h}

die() { echo "netns-agent: $*" >&2; exit 255; }

# Skips ssh options; those that take a value also skip the value.
while [ $# -gt 0 ]; do
    case $1 in
        --) shift; break ;;
        -[bcDEeFIiJLlmOopQRSWw]) shift 2 ;;
        -*) shift ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || die "usage: netns-agent.sh [ssh options] HOST COMMAND..."
host=$1
shift

# The namespace: HOST itself when it names one of ours, else the one holding address HOST.
namespace_for() {
    local ns
    for ns in $(ip netns list | awk '{print $1}'); do
        case $ns in "$NETNS_PREFIX"*) ;; *) continue ;; esac
        if [ "$ns" = "$1" ] || ip -n "$ns" -o -4 addr show | awk '{print $4}' | grep -qx "$1/[0-9]*"; then
            echo "$ns"
            return 0
        fi
    done
    return 1
}
ns=$(namespace_for "$host") || die "no $NETNS_PREFIX* namespace has address or name '$host'"

# Open MPI sends one command line (Bourne-shell syntax), possibly split over several words.
exec ip netns exec "$ns" unshare --uts -- sh -c 'hostname "$1" && exec sh -c "$2"' netns-agent "$ns" "$*"
