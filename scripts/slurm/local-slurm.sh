#!/usr/bin/env bash
# A one-node Slurm of its own on this machine, as root: munged, slurmctld and slurmd with
# everything under DIR and on private ports, apart from any other Slurm. For the job script's
# tests (Tests/EndToEndTests/SlurmJobTests.swift) and for trying scripts/slurm/dogcat.sbatch by
# hand. The set-up is the one in ../shared/CLUSTER-NOTES.md (Debian's slurm-wlm and munge).
#
#   scripts/slurm/local-slurm.sh up DIR [--hosts N]  start the daemons; then: export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm/local-slurm.sh down DIR   cancel its jobs, stop the daemons by the PIDs in DIR,
#                                           wait until they are gone (nothing left listening),
#                                           remove the namespaces and the bridge of --hosts
#
# --hosts N: N nodes s1..sN, each a network namespace with its own hostname and address
# (10.213.48.11.. on the bridge dogcat-sbr0 at 10.213.48.1, no route off it; the namespaces
# dogcat-s1.., apart from scripts/netns-cluster.sh's), one slurmd in each, slurmctld and munged
# in the root namespace; each node's TmpFS (where PMIx makes its per-step folders) is DIR/tmp-sN,
# as each real node has its own /tmp. Jobs' MPI traffic between nodes is TCP over the bridge:
# export OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=10.213.48.0/24 before sbatch.
#
# DIR must be short (munge's socket path lives in it) and is made if missing. Ports:
# DOGCAT_SLURM_PORT (default 16817) for slurmctld, the next one for slurmd. The node is this
# machine's hostname with its CPU count, one partition `debug`; no accounting (a finished job's
# exit code is in `scontrol show job` for MinJobAge=600 s). `up` waits up to 30 s for the node to
# be idle; if it fails, it stops what it started and prints the daemons' logs.
# Exit status: 0 ok, 77 not possible here (not root, or slurm-wlm/munge missing), 1 anything else.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
[ $# -eq 2 ] || [ $# -eq 4 -a "${3:-}" = --hosts ] || { usage >&2; exit 1; }
action=$1
DIR=$(mkdir -p "$2" && cd "$2" && pwd)
HOSTS=${4:-0}
NET=10.213.48 BRIDGE=dogcat-sbr0 NS_PREFIX=dogcat-s VETH_PREFIX=dogcat-sv
PORT=${DOGCAT_SLURM_PORT:-16817}
CONF=$DIR/slurm.conf
export SLURM_CONF=$CONF

# Starts a daemon without this script's inherited descriptors and output: a caller that waits
# for them to close (Foundation's Process does, a $(...) does) would otherwise wait for the daemon.
detached() {
  ( for fd in $(ls /proc/$BASHPID/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    exec "$@" < /dev/null > /dev/null 2>> "$DIR/daemons.log" )
}

pidfile() { if [ "$1" = munged ]; then echo "$DIR/munge/munged.pid"; else echo "$DIR/$1.pid"; fi; }
# The slurmds: slurmd, or slurmd-s1.. with --hosts (from the pid files, so `down` needs no --hosts).
slurmds() { for f in "$DIR"/slurmd*.pid; do [ -e "$f" ] && basename "$f" .pid; done; }
pid_of() { [ -s "$(pidfile "$1")" ] && cat "$(pidfile "$1")" || true; }

stop_pid() { # name: TERM, then KILL after 10 s; waits until the process is gone
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || { rm -f "$(pidfile "$1")"; return 0; }
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$(pidfile "$1")"
}

down() {
  if [ -n "$(pid_of slurmctld)" ] && [ -f "$CONF" ]; then
    scancel --full --quiet --signal=KILL --user=root 2>/dev/null || true   # a job's steps outlive slurmd
    for _ in $(seq 100); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  for daemon in $(slurmds); do stop_pid "$daemon"; done
  stop_pid slurmctld
  stop_pid munged
  # --hosts: whatever still runs in the namespaces (a job's steps), then the network.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS_PREFIX[0-9]*$" || true); do
    [ -f "$DIR/hosts" ] || break
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns"
  done
  if [ -f "$DIR/hosts" ]; then
    ip link del "$BRIDGE" 2>/dev/null || true
    # The kernel removes a namespace's veth pair a moment after the namespace.
    for _ in $(seq 50); do ip -o link show | grep -q ": $VETH_PREFIX[0-9]*@" || break; sleep 0.1; done
    rm -f "$DIR/hosts"
  fi
}

case $action in
  down) down; exit 0 ;;
  up) ;;
  *) usage >&2; exit 1 ;;
esac

[ "$(id -u)" -eq 0 ] || { echo "local-slurm: needs root" >&2; exit 77; }
for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" > /dev/null || { echo "local-slurm: $tool missing (apt-get install slurm-wlm munge)" >&2; exit 77; }
done
[ -z "$(pid_of slurmctld)" ] || { echo "local-slurm: already up in $DIR (down first)" >&2; exit 1; }
trap 'status=$?; if [ $status -ne 0 ]; then tail -n 20 "$DIR"/*.log "$DIR"/munge/*.log >&2 2>/dev/null; down; fi' EXIT

# munge: its own key, socket and files; munged runs as `munge`, which must reach them.
chmod 755 "$DIR"
mkdir -p "$DIR/munge" "$DIR/state" "$DIR/spool"
chown munge: "$DIR/munge"
chmod 755 "$DIR/munge"   # munged wants its socket folder searchable by all
[ -s "$DIR/munge/munge.key" ] || dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1 count=1024 status=none
chown munge: "$DIR/munge/munge.key"
chmod 400 "$DIR/munge/munge.key"
detached su -s /bin/sh munge -c "munged --key-file=$DIR/munge/munge.key --socket=$DIR/munge/socket --pid-file=$DIR/munge/munged.pid --log-file=$DIR/munge/munged.log --seed-file=$DIR/munge/seed"

# --hosts: the bridge and one namespace per node; otherwise this machine is the one node.
host=$(hostname)
controller=$host
nodes=""
if [ "$HOSTS" -gt 0 ]; then
  ip link show "$BRIDGE" > /dev/null 2>&1 && { echo "local-slurm: $BRIDGE exists (another cluster up?)" >&2; exit 1; }
  echo "$HOSTS" > "$DIR/hosts"
  ip link add "$BRIDGE" type bridge
  ip addr add "$NET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for i in $(seq "$HOSTS"); do
    ip netns add "$NS_PREFIX$i"
    ip link add "$VETH_PREFIX$i" type veth peer name eth0 netns "$NS_PREFIX$i"
    ip link set "$VETH_PREFIX$i" master "$BRIDGE"
    ip link set "$VETH_PREFIX$i" up
    ip netns exec "$NS_PREFIX$i" ip addr add "$NET.$((10 + i))/24" dev eth0
    ip netns exec "$NS_PREFIX$i" ip link set eth0 up
    ip netns exec "$NS_PREFIX$i" ip link set lo up
    mkdir -p "$DIR/tmp-s$i" "$DIR/spool/s$i"
    chmod 1777 "$DIR/tmp-s$i"
    nodes+="NodeName=s$i NodeAddr=$NET.$((10 + i)) CPUs=$(nproc) Sockets=1 CoresPerSocket=$(nproc) ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN"$'\n'
  done
  controller="$host($NET.1)"
  partition_nodes="s[1-$HOSTS]"
  per_node="-%n"
else
  nodes="NodeName=$host CPUs=$(nproc) Sockets=1 CoresPerSocket=$(nproc) ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN"$'\n'
  partition_nodes=$host
  per_node=""
fi
cat > "$CONF" <<CONF
ClusterName=dogcat
SlurmctldHost=$controller
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$DIR/munge/socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
KillWait=30
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool${per_node:+/%n}
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd$per_node.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd$per_node.log
${per_node:+TmpFS=$DIR/tmp-%n}
${nodes}PartitionName=debug Nodes=$partition_nodes Default=YES MaxTime=INFINITE State=UP
CONF

detached slurmctld -f "$CONF"
if [ "$HOSTS" -gt 0 ]; then
  # nsenter, not `ip netns exec`, which remounts /sys and so hides the cgroup file system slurmd
  # needs; unshare gives the node its own hostname (Open MPI tells hosts apart by it).
  for i in $(seq "$HOSTS"); do
    detached nsenter --net="/var/run/netns/$NS_PREFIX$i" unshare --uts sh -c "hostname s$i && exec slurmd -f '$CONF' -N s$i"
  done
else
  detached slurmd -f "$CONF"
fi
for _ in $(seq 150); do
  [ "$(sinfo -h -o %T 2>/dev/null | sort -u)" = idle ] && { echo "export SLURM_CONF=$CONF"; exit 0; }
  sleep 0.2
done
echo "local-slurm: the node did not become idle within 30 s: $(sinfo 2>&1 | tail -1)" >&2
exit 1
