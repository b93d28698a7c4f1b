/* work-queue.c - bounded job queue with reservation (see work-queue.h). */
#include "server/work-queue.h"

#include <stdlib.h>

int wi_queue_init(wi_queue *q, int cap) {
    *q = (wi_queue){0};
    q->items = calloc((size_t)(cap > 0 ? cap : 1), sizeof *q->items);
    if (!q->items)
        return -1;
    q->cap = cap > 0 ? cap : 1;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    return 0;
}

void wi_queue_destroy(wi_queue *q) {
    if (!q->items)
        return;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->nonempty);
    free(q->items);
    q->items = NULL;
}

int wi_queue_reserve(wi_queue *q) {
    int rc = -1;
    pthread_mutex_lock(&q->lock);
    if (!q->closed && q->count + q->reserved < q->cap) {
        q->reserved++;
        rc = 0;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

void wi_queue_push_reserved(wi_queue *q, void *job) {
    pthread_mutex_lock(&q->lock);
    q->reserved--;
    q->items[(q->head + q->count) % q->cap] = job;
    q->count++;
    if (q->closed)
        pthread_cond_broadcast(&q->nonempty); /* workers waiting for the last reservations */
    else
        pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

void *wi_queue_pop(wi_queue *q) {
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !(q->closed && q->reserved == 0))
        pthread_cond_wait(&q->nonempty, &q->lock);
    void *job = NULL;
    if (q->count > 0) {
        job = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->count--;
    }
    pthread_mutex_unlock(&q->lock);
    return job;
}

void wi_queue_close(wi_queue *q) {
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

int wi_queue_depth(wi_queue *q) {
    pthread_mutex_lock(&q->lock);
    int d = q->count + q->reserved;
    pthread_mutex_unlock(&q->lock);
    return d;
}
