/* proxy.h - the PROXY protocol header that tells a backend who the client is.
 *
 * HAProxy's PROXY protocol (doc/proxy-protocol.txt), as Postfix reads it
 * with smtpd_upstream_proxy_protocol = haproxy: the relay writes it as the
 * first bytes on the backend connection, before any byte of the client.
 *
 * A pure encoder: two addresses in, bytes out; no state, no I/O, no
 * allocation, so the table tests compare it byte for byte.
 *
 *  v1  one text line: "PROXY TCP4 <src> <dst> <sport> <dport>\r\n" (or
 *      TCP6); "PROXY UNKNOWN\r\n" when the pair cannot be described.
 *  v2  the 12-byte signature, version/command (0x21 PROXY, 0x20 LOCAL),
 *      family/transport (0x11 TCP over IPv4, 0x21 TCP over IPv6, 0x00
 *      unspecified), the length of what follows (big endian), then source
 *      and destination address and source and destination port, all in
 *      network order. No TLVs.
 *
 * A v4-mapped IPv6 address (::ffff:192.0.2.1, a v4 client on a dual-stack
 * socket) is sent as the IPv4 address it is. A pair whose families differ
 * or are neither IPv4 nor IPv6 is "unknown": v1 UNKNOWN, v2 PROXY with the
 * unspecified family and no address block (the receiver uses the
 * connection's own addresses). No addresses at all (src or dst NULL: a
 * connection the relay makes on its own behalf) is v1 UNKNOWN, v2 LOCAL.
 */
#ifndef MXS_PROXY_H
#define MXS_PROXY_H

struct sockaddr;

/* Longest header: the v1 line of two full IPv6 addresses is 104 bytes,
 * v2 for IPv6 52; the spec's v1 maximum is 107 plus a NUL. */
#define PROXY_HEADER_MAX 108

/*
 * Build a PROXY protocol header.
 * \param version  CONF_PROXY_V1 or CONF_PROXY_V2 (enum conf_proxy)
 * \param src      the client's address, or NULL (see above)
 * \param dst      the address the client connected to, or NULL
 * \param buf      output, at least PROXY_HEADER_MAX bytes
 * \retval len     bytes written (the v1 line is not NUL-terminated)
 * \retval -1      unsupported version (nothing written)
 */
int proxy_header(int version, const struct sockaddr *src,
    const struct sockaddr *dst, unsigned char *buf);

#endif
