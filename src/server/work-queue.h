/*
 * work-queue.h - the bounded queue between the HTTP thread and the inference workers.
 *
 * The HTTP thread first reserves a slot (refusing at once with 503 when none is free), then
 * suspends the connection, then pushes: the job can only reach a worker after its connection
 * is suspended, so the worker's resume never races the suspend.
 */
#ifndef WI_SERVER_WORK_QUEUE_H
#define WI_SERVER_WORK_QUEUE_H

#include <pthread.h>

typedef struct wi_queue {
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    void **items; /* ring of `cap` jobs */
    int cap, head, count, reserved;
    int closed;
} wi_queue;

int wi_queue_init(wi_queue *q, int cap); /* 0 on success, -1 out of memory */
void wi_queue_destroy(wi_queue *q);
/* 0 when a slot was reserved; -1 when the queue is full or closed. */
int wi_queue_reserve(wi_queue *q);
/* Fills a reserved slot and wakes a worker. */
void wi_queue_push_reserved(wi_queue *q, void *job);
/* Blocks until a job is available; NULL once the queue is closed and empty. */
void *wi_queue_pop(wi_queue *q);
/* Wakes every waiting worker; pops drain what is left, then return NULL. */
void wi_queue_close(wi_queue *q);
int wi_queue_depth(wi_queue *q); /* jobs waiting (reserved slots included) */

#endif
