#include "endpoint.h"

#include "parse.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

bool endpoint_is_every_address(const char *text)
{
	return text && text[0] == ':';
}

bool endpoint_parse(const char *text, struct sockaddr_storage *out, socklen_t *len)
{
	char host[64];
	const char *port_text;
	if (!text)
		return false;
	if (text[0] == ':') {
		/* ":PORT": every address, IPv6 and IPv4 (as node_exporter's --web.listen-address)
		 */
		host[0] = '\0';
		port_text = text + 1;
	} else if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host))
			return false;
		memcpy(host, text + 1, (size_t)(close - text - 1));
		host[close - text - 1] = '\0';
		port_text = close + 2;
	} else {
		const char *colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon || (size_t)(colon - text) >= sizeof(host))
			return false;
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
		port_text = colon + 1;
	}
	uint64_t port;
	if (!parse_dec_str(port_text, 1, 65535, &port))
		return false;
	memset(out, 0, sizeof(*out));
	if (text[0] == ':') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_any;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
	} else if (text[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return false;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)out;
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return false;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
	}
	return true;
}
