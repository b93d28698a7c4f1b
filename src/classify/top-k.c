/*
 * top-k.c - the k best scores of a classifier output, optionally through a softmax.
 */
#include <math.h>

#include "wasinfer.h"

/* a ranks before b: higher score, NaN last, ties by lower index (b is always scanned later). */
static int ranks_before(float a, float b)
{
    if (isnan(b)) return !isnan(a);
    return a > b;
}

int wi_top_k(const float *scores, size_t n, int apply_softmax, int k, wi_class_score *out)
{
    if (!scores || !out || k <= 0 || n == 0) return 0;
    if ((size_t)k > n) k = (int)n;

    /* Insertion into a sorted window of k: O(n k), and k is small (top 5 of 1001). */
    int filled = 0;
    for (size_t i = 0; i < n; i++) {
        float s = scores[i];
        if (filled == k && !ranks_before(s, out[k - 1].prob)) continue;
        int pos = filled < k ? filled++ : k - 1;
        while (pos > 0 && ranks_before(s, out[pos - 1].prob)) {
            out[pos] = out[pos - 1];
            pos--;
        }
        out[pos].index = (int)i;
        out[pos].prob = s;
    }

    if (apply_softmax) {
        /* Subtract the largest finite logit so exp never overflows; sum in double. */
        double max = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (scores[i] > max) max = scores[i];
        double sum = 0.0;
        for (size_t i = 0; i < n; i++)
            if (!isnan(scores[i])) sum += exp((double)scores[i] - max);
        for (int j = 0; j < k; j++) {
            double s = out[j].prob;
            out[j].prob = (sum > 0.0 && !isnan(s)) ? (float)(exp(s - max) / sum) : 0.0f;
        }
    }
    return k;
}
