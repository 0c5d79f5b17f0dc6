// The stop signals (SIGTERM, SIGINT, SIGUSR1): Slurm's time limit, Ctrl-C, and the warning
// `sbatch --signal=USR1@T` sends. A signal handler may only set a flag, and Swift code is not
// async-signal-safe, so the handler is C: it records the signal and puts the default action
// back, so a second signal (or SIGTERM while the run drains) ends the process at once.
#ifndef DOGCAT_STOP_SIGNAL_H
#define DOGCAT_STOP_SIGNAL_H

// Installs the handler for SIGTERM, SIGINT and SIGUSR1. Returns 0, or -1 with errno set.
int dc_stop_signal_install(void);

// The first stop signal received since the install, or 0 when none was.
int dc_stop_signal_received(void);

#endif
