/*
 * fuzz-addr-guard.c - the SSRF guard (src/server/addr-guard.c) on arbitrary socket addresses.
 *
 * Input: byte 0 picks the family (even: IPv4, odd: IPv6), byte 1 the length claimed to the
 * guard (so short lengths are tried too), the rest fills the address. Besides memory safety it
 * checks the guard's promise that an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged
 * exactly as a.b.c.d, and that a length too short for the family is refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "fuzz.h"
#include "server/addr-guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        if (!wi_addr_refusal(NULL, 0)) fuzz_fail("NULL address accepted");
        return 0;
    }
    int v6 = data[0] & 1;
    socklen_t claimed = data[1];
    const uint8_t *addr = data + 2;
    size_t n = size - 2;

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t full;
    if (v6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        memcpy(in6->sin6_addr.s6_addr, addr, n < 16 ? n : 16);
        full = sizeof *in6;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        memcpy(&in->sin_addr.s_addr, addr, n < 4 ? n : 4);
        full = sizeof *in;
    }
    const char *why = wi_addr_refusal((const struct sockaddr *)&ss, claimed);
    if (claimed < full && !why) fuzz_fail("a %u-byte address was accepted", (unsigned)claimed);

    const char *full_why = wi_addr_refusal((const struct sockaddr *)&ss, full);
    if (!v6) { /* the same address mapped into IPv6 must get the same answer */
        struct sockaddr_in6 mapped;
        memset(&mapped, 0, sizeof mapped);
        mapped.sin6_family = AF_INET6;
        mapped.sin6_addr.s6_addr[10] = 0xFF;
        mapped.sin6_addr.s6_addr[11] = 0xFF;
        memcpy(mapped.sin6_addr.s6_addr + 12, &((struct sockaddr_in *)&ss)->sin_addr.s_addr, 4);
        const char *mapped_why = wi_addr_refusal((const struct sockaddr *)&mapped, sizeof mapped);
        if ((full_why == NULL) != (mapped_why == NULL) ||
            (full_why && strcmp(full_why, mapped_why) != 0))
            fuzz_fail("IPv4 and IPv4-mapped IPv6 judged differently: '%s' vs '%s'",
                      full_why ? full_why : "allowed", mapped_why ? mapped_why : "allowed");
    }
    return 0;
}
