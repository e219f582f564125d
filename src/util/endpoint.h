/* "ADDR:PORT" listen addresses: 127.0.0.1:9877, [::1]:9877, [::]:9877, 0.0.0.0:9877. Pure. */
#ifndef CW_UTIL_ENDPOINT_H
#define CW_UTIL_ENDPOINT_H

#include <stdbool.h>
#include <sys/socket.h>

/* Parses text into a socket address. An IPv6 address must be in brackets (the port would be
 * ambiguous otherwise); names are not resolved, so nothing is looked up on the network.
 * Returns true on success. */
bool endpoint_parse(const char *text, struct sockaddr_storage *out, socklen_t *len);

#endif
