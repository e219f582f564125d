/* "ADDR:PORT" listen addresses: 127.0.0.1:9877, [::1]:9877, [::]:9877, 0.0.0.0:9877, and :9877
 * for every address of both families (as node_exporter takes it). Pure. */
#ifndef CW_UTIL_ENDPOINT_H
#define CW_UTIL_ENDPOINT_H

#include <stdbool.h>
#include <sys/socket.h>

/* Parses text into a socket address. An IPv6 address must be in brackets (the port would be
 * ambiguous otherwise); names are not resolved, so nothing is looked up on the network.
 * Returns true on success. */
bool endpoint_parse(const char *text, struct sockaddr_storage *out, socklen_t *len);

/* ":PORT": the IPv6 wildcard that also takes IPv4 (a dual-stack socket, IPV6_V6ONLY off). */
bool endpoint_is_every_address(const char *text);

#endif
