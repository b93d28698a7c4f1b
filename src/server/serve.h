/*
 * serve.h - `wasinfer serve`: the prediction service's command line.
 *
 * argv[0] is the subcommand name ("serve"), options follow:
 *     wi_serve_main(argc - 1, argv + 1)   from `wasinfer serve --model m.pb ...`
 * Returns the process exit code: 0 after a clean SIGINT/SIGTERM shutdown, 1 when the service
 * cannot start (bad option, model that does not load, port in use), 2 on usage errors.
 */
#ifndef WI_SERVER_SERVE_H
#define WI_SERVER_SERVE_H

int wi_serve_main(int argc, char **argv);

#endif
