/*
 * scripted-backend.h - a backend for testing the HTTP layer without a model: the "image" is
 * "BM" (so it passes the image sniff) followed by a command:
 *   BM:class=N     classify as class N (prob 0.75), then N+1, N+2, ... for top_k > 1
 *   BM:sleep=MS    sleep, then class 1
 *   BM:block       wait until scripted_release() (for queue-full and drain tests), then class 2
 *   BM:trap BM:timeout BM:malformed BM:limit   fail with WI_E_TRAP / TIMEOUT / MALFORMED / LIMIT
 */
#ifndef WI_TEST_SCRIPTED_BACKEND_H
#define WI_TEST_SCRIPTED_BACKEND_H

#include "server/backend.h"

extern const wi_backend_vtable scripted_backend;

int scripted_blocked(void);   /* how many classify calls are waiting in BM:block */
int scripted_running(void);   /* how many classify calls are in progress */
void scripted_release(void);  /* lets every BM:block call finish */
void scripted_reset(void);
int scripted_live_workers(void); /* created minus destroyed */

#endif
