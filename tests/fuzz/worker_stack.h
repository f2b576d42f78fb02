/* worker_stack.h - runs a fuzz input on a thread with a CivetWeb worker's stack, so an
 * input that overflows a worker in production crashes the fuzzer too (libFuzzer's own
 * thread has 8 MiB, where jansson stops at its depth limit long before overflowing).
 *
 * Debian's libcivetweb is built with USE_STACK_SIZE=102400: every worker, and so every
 * handler and everything it calls (jansson, cmark, our parsers), runs on 100 KiB.
 *
 * The factor for sanitizer builds: ASan gives our own frames redzones, but the
 * recursive parsers (jansson, cmark) are Debian's uninstrumented libraries, whose frames
 * are as in production. Measured with json_loadb on nested `[` on a 100 KiB thread:
 * gcc -O2 survives 1,214 levels, clang with ASan+UBSan+fuzzer instrumentation 1,183 (3 %
 * less). No legitimate input comes near either (JSONIN_MAX_DEPTH is 32 levels; the
 * Markdown seeds pass), so the factor is 1: the fuzzers check the real 100 KiB.
 * WORKER_STACK_FACTOR=N at build time scales it should a future sanitizer need more. */
#ifndef PORTAL_FUZZ_WORKER_STACK_H
#define PORTAL_FUZZ_WORKER_STACK_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORKER_STACK_SIZE 102400 /* CivetWeb's USE_STACK_SIZE in Debian's package */
#ifndef WORKER_STACK_FACTOR
#define WORKER_STACK_FACTOR 1
#endif

struct worker_stack_call {
    void (*fn)(void *);
    void *arg;
};

static void *worker_stack_trampoline(void *p)
{
    struct worker_stack_call *call = p;
    call->fn(call->arg);
    return NULL;
}

/* Runs fn(arg) on a new thread with WORKER_STACK_SIZE x WORKER_STACK_FACTOR bytes of
 * stack and waits for it. Aborts when the thread cannot be made: a fuzz run that
 * silently fell back to the big stack would prove nothing. */
static inline void worker_stack_run(void (*fn)(void *), void *arg)
{
    struct worker_stack_call call = {fn, arg};
    pthread_attr_t attr;
    pthread_t thread;
    int rc = pthread_attr_init(&attr);
    if (rc == 0)
        rc = pthread_attr_setstacksize(&attr, (size_t)WORKER_STACK_SIZE * WORKER_STACK_FACTOR);
    if (rc == 0)
        rc = pthread_create(&thread, &attr, worker_stack_trampoline, &call);
    if (rc == 0)
        rc = pthread_join(thread, NULL);
    if (rc != 0) {
        fprintf(stderr, "worker_stack: cannot run on a %d-byte stack: %s\n",
                WORKER_STACK_SIZE * WORKER_STACK_FACTOR, strerror(rc));
        abort();
    }
    pthread_attr_destroy(&attr);
}

#endif
