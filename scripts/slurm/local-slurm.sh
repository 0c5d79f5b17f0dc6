#!/usr/bin/env bash
# A one-node Slurm of its own on this machine, as root: munged, slurmctld and slurmd with
# everything under DIR and on private ports, apart from any other Slurm. For the job script's
# tests (Tests/EndToEndTests/SlurmJobTests.swift) and for trying scripts/slurm/dogcat.sbatch by
# hand. The set-up is the one in ../shared/CLUSTER-NOTES.md (Debian's slurm-wlm and munge).
#
#   scripts/slurm/local-slurm.sh up DIR     start the daemons; then: export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm/local-slurm.sh down DIR   cancel its jobs, stop the daemons by the PIDs in DIR,
#                                           wait until they are gone (nothing left listening)
#
# DIR must be short (munge's socket path lives in it) and is made if missing. Ports:
# DOGCAT_SLURM_PORT (default 16817) for slurmctld, the next one for slurmd. The node is this
# machine's hostname with its CPU count, one partition `debug`; no accounting (a finished job's
# exit code is in `scontrol show job` for MinJobAge=600 s). `up` waits up to 30 s for the node to
# be idle; if it fails, it stops what it started and prints the daemons' logs.
# Exit status: 0 ok, 77 not possible here (not root, or slurm-wlm/munge missing), 1 anything else.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
[ $# -eq 2 ] || { usage >&2; exit 1; }
action=$1
DIR=$(mkdir -p "$2" && cd "$2" && pwd)
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
  stop_pid slurmd
  stop_pid slurmctld
  stop_pid munged
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

host=$(hostname)
cat > "$CONF" <<CONF
ClusterName=dogcat
SlurmctldHost=$host
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
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
NodeName=$host CPUs=$(nproc) Sockets=1 CoresPerSocket=$(nproc) ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

detached slurmctld -f "$CONF"
detached slurmd -f "$CONF"
for _ in $(seq 150); do
  [ "$(sinfo -h -o %T 2>/dev/null)" = idle ] && { echo "export SLURM_CONF=$CONF"; exit 0; }
  sleep 0.2
done
echo "local-slurm: the node did not become idle within 30 s: $(sinfo 2>&1 | tail -1)" >&2
exit 1
