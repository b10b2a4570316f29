/* Parsing control socket addresses (addr.h). */
#include "lib/binrpc/addr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum ksr_binrpc_transport t;
} protos[] = {
        {"unixs", KSR_BINRPC_UNIXS}, {"unix", KSR_BINRPC_UNIXS}, {"unixd", KSR_BINRPC_UNIXD},
        {"tcp", KSR_BINRPC_TCP},     {"udp", KSR_BINRPC_UDP},    {"fifo", KSR_BINRPC_FIFO},
};

const char *ksr_binrpc_transport_name(enum ksr_binrpc_transport t)
{
	switch (t) {
	case KSR_BINRPC_UNIXS: return "unix_stream";
	case KSR_BINRPC_UNIXD: return "unix_dgram";
	case KSR_BINRPC_TCP: return "tcp";
	case KSR_BINRPC_UDP: return "udp";
	case KSR_BINRPC_FIFO: return "fifo";
	}
	return "unknown";
}

void ksr_binrpc_addr_free(struct ksr_binrpc_addr *a)
{
	if (!a)
		return;
	free(a->name);
	a->name = NULL;
}

/* A port: all digits, 1 to 65535. */
static int parse_port(const char *s, int *ret)
{
	long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * "host", "host:port", "[v6]" or "[v6]:port" (s is a copy the function cuts): the host
 * into *ret_host (pointing into s) and the port text into *ret_port (NULL when none).
 */
static int split_host(char *s, char **ret_host, char **ret_port, const char **ret_err)
{
	char *c;

	if (s[0] == '[') {
		char *close = strchr(s, ']');

		if (!close || close == s + 1) {
			*ret_err = "an IPv6 address needs its closing ']'";
			return -EINVAL;
		}
		*close = '\0';
		*ret_host = s + 1;
		if (close[1] == '\0') {
			*ret_port = NULL;
		} else if (close[1] == ':') {
			*ret_port = close + 2;
		} else {
			*ret_err = "only ':port' may follow an IPv6 address";
			return -EINVAL;
		}
		return 0;
	}
	*ret_host = s;
	c = strchr(s, ':');
	if (c) {
		*c = '\0';
		*ret_port = c + 1;
	} else {
		*ret_port = NULL;
	}
	return 0;
}

int ksr_binrpc_addr_parse(const char *spec, enum ksr_binrpc_transport def,
                          struct ksr_binrpc_addr *ret, const char **ret_err)
{
	enum ksr_binrpc_transport t = 0;
	char *copy, *rest, *host = NULL, *port = NULL;
	const char *colon;
	struct ksr_binrpc_addr a = {0};

	if (!spec || !*spec) {
		*ret_err = "empty address";
		return -EINVAL;
	}
	copy = strdup(spec);
	if (!copy) {
		*ret_err = "out of memory";
		return -ENOMEM;
	}
	rest = copy;
	colon = spec[0] == '[' ? NULL : strchr(spec, ':');
	if (colon) {
		size_t n = (size_t)(colon - spec);

		for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
			if (strlen(protos[i].name) == n && !strncasecmp(spec, protos[i].name, n)) {
				t = protos[i].t;
				rest = copy + n + 1;
				break;
			}
		}
	}

	switch (t) {
	case KSR_BINRPC_UNIXS:
	case KSR_BINRPC_UNIXD:
	case KSR_BINRPC_FIFO:
		/* a path is all of the rest, ':' included */
		if (!*rest) {
			*ret_err = "the path is missing";
			goto fail;
		}
		a.name = strdup(rest);
		break;
	case KSR_BINRPC_TCP:
	case KSR_BINRPC_UDP:
		if (split_host(rest, &host, &port, ret_err) < 0)
			goto fail;
		if (!port && all_digits(host)) {
			/* "tcp:3012": a port on any address */
			port = host;
			host = "*";
		}
		if (port && parse_port(port, &a.port) < 0) {
			*ret_err = "the port must be a number from 1 to 65535";
			goto fail;
		}
		a.name = strdup(*host ? host : "*");
		break;
	default:
		/* no proto: guess from the shape, as upstream does */
		if (split_host(rest, &host, &port, ret_err) < 0)
			goto fail;
		if (port || copy[0] == '[') {
			t = (def == KSR_BINRPC_TCP || def == KSR_BINRPC_UDP) ? def : KSR_BINRPC_UDP;
			if (port && parse_port(port, &a.port) < 0) {
				*ret_err =
				        "unknown protocol, or a port that is no number from 1 to "
				        "65535 (protocols: unixs, unix, unixd, tcp, udp, fifo)";
				goto fail;
			}
			a.name = strdup(*host ? host : "*");
		} else {
			t = def;
			if (strchr(host, '/') && (def == KSR_BINRPC_TCP || def == KSR_BINRPC_UDP))
				t = KSR_BINRPC_UNIXS;
			if ((t == KSR_BINRPC_TCP || t == KSR_BINRPC_UDP) && all_digits(host)) {
				if (parse_port(host, &a.port) < 0) {
					*ret_err = "the port must be a number from 1 to 65535";
					goto fail;
				}
				a.name = strdup("*");
			} else {
				a.name = strdup(host);
			}
		}
		break;
	}
	if (!a.name) {
		*ret_err = "out of memory";
		free(copy);
		return -ENOMEM;
	}
	a.transport = t;
	free(copy);
	*ret = a;
	return 0;
fail:
	free(copy);
	return -EINVAL;
}
