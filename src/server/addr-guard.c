/* addr-guard.c - classify IPv4/IPv6 addresses for the SSRF guard (see addr-guard.h). */
#include "server/addr-guard.h"

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

static const char *ipv4_refusal(uint32_t a) { /* a in host byte order */
    static const struct {
        uint32_t net, mask;
        const char *why;
    } ranges[] = {
        {0x00000000u, 0xFF000000u, "'this network' (0.0.0.0/8)"},
        {0x0A000000u, 0xFF000000u, "private (10.0.0.0/8)"},
        {0x64400000u, 0xFFC00000u, "carrier-grade NAT (100.64.0.0/10)"},
        {0x7F000000u, 0xFF000000u, "loopback (127.0.0.0/8)"},
        {0xA9FE0000u, 0xFFFF0000u, "link-local / cloud metadata (169.254.0.0/16)"},
        {0xAC100000u, 0xFFF00000u, "private (172.16.0.0/12)"},
        {0xC0000000u, 0xFFFFFF00u, "IETF protocol assignments (192.0.0.0/24)"},
        {0xC0A80000u, 0xFFFF0000u, "private (192.168.0.0/16)"},
        {0xC6120000u, 0xFFFE0000u, "benchmarking (198.18.0.0/15)"},
        {0xE0000000u, 0xF0000000u, "multicast (224.0.0.0/4)"},
        {0xF0000000u, 0xF0000000u, "reserved (240.0.0.0/4)"},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if ((a & ranges[i].mask) == ranges[i].net)
            return ranges[i].why;
    return NULL;
}

static const char *ipv6_refusal(const uint8_t b[16]) {
    static const uint8_t zero[16];
    if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
        return b[15] ? "loopback (::1)" : "unspecified (::)";
    /* IPv4-mapped ::ffff:a.b.c.d and the deprecated IPv4-compatible / NAT64 forms carry an
     * IPv4 address a connection would reach: judge that address. */
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    static const uint8_t nat64[12] = {0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
    if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0 || memcmp(b, zero, 12) == 0) {
        uint32_t a = (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15];
        return ipv4_refusal(a);
    }
    if ((b[0] & 0xFE) == 0xFC)
        return "unique local (fc00::/7)";
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
        return "link-local (fe80::/10)";
    if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)
        return "site-local (fec0::/10)";
    if (b[0] == 0xFF)
        return "multicast (ff00::/8)";
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
        return "documentation (2001:db8::/32)";
    return NULL;
}

const char *wi_addr_refusal(const struct sockaddr *addr, socklen_t len) {
    if (!addr)
        return "no address";
    if (addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)addr;
        return ipv4_refusal(ntohl(in->sin_addr.s_addr));
    }
    if (addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)addr;
        return ipv6_refusal(in6->sin6_addr.s6_addr);
    }
    return "not an IPv4 or IPv6 address";
}
