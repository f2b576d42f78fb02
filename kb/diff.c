/* diff.c - Myers' O(ND) diff over lines, after trimming the common head and tail
 * (most edits touch a few lines of a long article). */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

struct line {
    const char *p;
    size_t len;
};

static struct line *split(const char *s, size_t *n)
{
    size_t count = 1;
    for (const char *p = s; *p; p++)
        if (*p == '\n')
            count++;
    struct line *v = malloc(count * sizeof *v);
    if (!v)
        return NULL;
    size_t i = 0;
    const char *start = s;
    for (const char *p = s;; p++) {
        if (*p == '\n' || *p == '\0') {
            v[i].p = start;
            v[i].len = (size_t)(p - start);
            i++;
            if (!*p)
                break;
            start = p + 1;
        }
    }
    /* A final newline does not make an empty last line. */
    if (i > 1 && v[i - 1].len == 0 && s[strlen(s) - 1] == '\n')
        i--;
    if (i == 1 && v[0].len == 0 && !*s)
        i = 0;
    *n = i;
    return v;
}

static int same(const struct line *x, const struct line *y)
{
    return x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

static void put(struct diff_line *out, size_t *k, char op, const struct line *l)
{
    out[*k].op = op;
    out[*k].text = l->p;
    out[*k].len = l->len;
    (*k)++;
}

struct diff_line *kb_diff(const char *a, const char *b, size_t *n_out)
{
    size_t na, nb;
    struct line *A = split(a, &na), *B = split(b, &nb);
    struct diff_line *out = malloc((na + nb + 1) * sizeof *out);
    int *trace = NULL;
    size_t k = 0;
    if (!A || !B || !out)
        goto fail;
    size_t head = 0;
    while (head < na && head < nb && same(&A[head], &B[head]))
        head++;
    size_t tail = 0;
    while (tail < na - head && tail < nb - head && same(&A[na - 1 - tail], &B[nb - 1 - tail]))
        tail++;
    for (size_t i = 0; i < head; i++)
        put(out, &k, '=', &A[i]);

    const struct line *x = A + head, *y = B + head;
    long N = (long)(na - head - tail), M = (long)(nb - head - tail);
    long maxd = N + M < KB_DIFF_MAX_EDITS ? N + M : KB_DIFF_MAX_EDITS;
    /* trace holds, for each d, V[k] for k in [-d, d]: d*d + (k + d) indexes it. */
    long found = -1;
    if (N + M > 0) {
        trace = malloc(sizeof(int) * (size_t)((maxd + 1) * (maxd + 1) + 1));
        if (!trace)
            goto fail;
        for (long d = 0; d <= maxd && found < 0; d++) {
            int *V = trace + d * d, *P = d ? trace + (d - 1) * (d - 1) : NULL;
            for (long kk = -d; kk <= d; kk += 2) {
                long xx;
                if (d == 0)
                    xx = 0;
                else if (kk == -d || (kk != d && P[kk - 1 + (d - 1)] < P[kk + 1 + (d - 1)]))
                    xx = P[kk + 1 + (d - 1)]; /* down: an insertion */
                else
                    xx = P[kk - 1 + (d - 1)] + 1; /* right: a deletion */
                long yy = xx - kk;
                while (xx < N && yy < M && same(&x[xx], &y[yy]))
                    xx++, yy++;
                V[kk + d] = (int)xx;
                if (xx >= N && yy >= M) {
                    found = d;
                    break;
                }
            }
        }
    } else {
        found = 0;
    }

    if (found < 0) { /* too different: the middle is replaced */
        for (long i = 0; i < N; i++)
            put(out, &k, '-', &x[i]);
        for (long i = 0; i < M; i++)
            put(out, &k, '+', &y[i]);
    } else if (N + M > 0) {
        /* Walk back from (N, M), collecting the script in reverse. */
        struct diff_line *rev = malloc((size_t)(N + M + 1) * sizeof *rev);
        if (!rev)
            goto fail;
        size_t r = 0;
        long xx = N, yy = M;
        for (long d = found; d > 0; d--) {
            int *P = trace + (d - 1) * (d - 1);
            long kk = xx - yy, pk;
            if (kk == -d || (kk != d && P[kk - 1 + (d - 1)] < P[kk + 1 + (d - 1)]))
                pk = kk + 1;
            else
                pk = kk - 1;
            long px = P[pk + (d - 1)], py = px - pk;
            while (xx > px && yy > py) {
                xx--, yy--;
                put(rev, &r, '=', &x[xx]);
            }
            if (xx == px) { /* insertion of y[py] */
                yy--;
                put(rev, &r, '+', &y[yy]);
            } else { /* deletion of x[px] */
                xx--;
                put(rev, &r, '-', &x[xx]);
            }
        }
        while (xx > 0 && yy > 0) {
            xx--, yy--;
            put(rev, &r, '=', &x[xx]);
        }
        while (r > 0)
            out[k++] = rev[--r];
        free(rev);
    }
    for (size_t i = na - tail; i < na; i++)
        put(out, &k, '=', &A[i]);
    free(trace);
    free(A);
    free(B);
    *n_out = k;
    return out;
fail:
    free(trace);
    free(A);
    free(B);
    free(out);
    return NULL;
}
