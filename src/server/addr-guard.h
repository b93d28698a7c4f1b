/*
 * addr-guard.h - which network addresses a URL fetch may connect to (the SSRF guard).
 *
 * The fetcher checks the address of every socket it is about to connect (after DNS, for every
 * redirect hop), so neither DNS rebinding nor a redirect to http://169.254.169.254/ gets past.
 */
#ifndef WI_SERVER_ADDR_GUARD_H
#define WI_SERVER_ADDR_GUARD_H

#include <sys/socket.h>

/* NULL when `addr` is a public unicast address; otherwise a static description of the
 * refused range ("loopback", "private (10.0.0.0/8)", "link-local / cloud metadata", ...).
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry. Families other than
 * IPv4 and IPv6 are refused. */
const char *wi_addr_refusal(const struct sockaddr *addr, socklen_t len);

#endif
