#include "dc_stop_signal.h"

#include <signal.h>
#include <stddef.h>

static volatile int received = 0;   // written only with an atomic exchange
static const int stop_signals[] = {SIGTERM, SIGINT, SIGUSR1};
enum { STOP_SIGNAL_COUNT = sizeof(stop_signals) / sizeof(stop_signals[0]) };

// Records the first signal and restores the default action for all three (sigaction is
// async-signal-safe): the next one terminates the process as if no handler had been there.
// A signal taken by another thread at the same moment (Open MPI's threads can take them too)
// loses the exchange and is a second signal: it is raised again, and now ends the process
// as soon as this handler returns.
static void on_stop_signal(int signo) {
    int none = 0;
    int first = __atomic_compare_exchange_n(&received, &none, signo, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    struct sigaction fallback = {0};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    for (size_t i = 0; i < STOP_SIGNAL_COUNT; i++) sigaction(stop_signals[i], &fallback, NULL);
    if (!first) raise(signo);
}

int dc_stop_signal_install(void) {
    struct sigaction action = {0};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < STOP_SIGNAL_COUNT; i++) sigaddset(&action.sa_mask, stop_signals[i]);
    action.sa_flags = SA_RESTART;   // a read or write under way goes on; the flag is looked at between images
    for (size_t i = 0; i < STOP_SIGNAL_COUNT; i++) {
        if (sigaction(stop_signals[i], &action, NULL) != 0) return -1;
    }
    return 0;
}

int dc_stop_signal_received(void) { return __atomic_load_n(&received, __ATOMIC_SEQ_CST); }
