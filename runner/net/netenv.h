/* netenv.h - a private network for containers that talk to each other.
 *
 * One network namespace holds a Linux bridge; each endpoint (container)
 * gets its own namespace with an "eth0" that is one end of a veth pair whose
 * other end is a port of the bridge.  Addresses come from a private /24
 * the caller chooses: the bridge namespace has none, endpoint i gets
 * .(i+2).  Every object is created inside these namespaces (never in the
 * root namespace), with `ip` from iproute2, and all of them go away with
 * the namespaces.  Names: PREFIX-br, PREFIX-0, PREFIX-1, ...; containers
 * join with {"type": "network", "path": "/var/run/netns/PREFIX-i"}.
 */
#ifndef OB_NETENV_H
#define OB_NETENV_H

#include <netinet/in.h>
#include <stdbool.h>

#include "ob-error.h"

#define OB_NETENV_MAX 8
/* The first /24 a run tries for its net cells (--net-subnet). */
#define OB_NET_SUBNET_DEFAULT "10.199.0.0/24"

struct ob_netenv {
	char prefix[48];
	unsigned n;                 /* endpoints */
	unsigned created;           /* endpoints whose namespace exists */
	int bridge_created;
	struct in_addr net;         /* the /24, host part 0 */
	char ns[OB_NETENV_MAX][64]; /* endpoint namespace names */
	char addr[OB_NETENV_MAX][INET_ADDRSTRLEN];
};

/* Does the /24 lie in 10/8, 172.16/12 or 192.168/16 (RFC 1918)? */
bool ob_netenv_private(struct in_addr net);

/* Parse "A.B.C.0/24" (or "A.B.C.D/24": host part ignored). */
int ob_netenv_parse_subnet(const char *text, struct in_addr *net, struct ob_error *err);

/* Create the bridge namespace and n endpoints.  On failure everything
 * already made is removed again. */
int ob_netenv_create(struct ob_netenv *ne, const char *prefix, struct in_addr net, unsigned n,
		     struct ob_error *err);

/* (Re)assign endpoint i's address (runsc's sandbox network takes it away). */
int ob_netenv_readdr(const struct ob_netenv *ne, unsigned i, struct ob_error *err);

/* Undo what a runtime's failed create left in endpoint i (Kata: its tap
 * device and the tc ingress qdisc on eth0): every link but lo and eth0
 * goes, eth0 gets its address again. */
int ob_netenv_reset(const struct ob_netenv *ne, unsigned i, struct ob_error *err);

/* Path of endpoint i's namespace, for the OCI config. */
void ob_netenv_path(const struct ob_netenv *ne, unsigned i, char *buf, size_t len);

/* Remove what ob_netenv_create made; safe to call on a partial one. */
int ob_netenv_destroy(struct ob_netenv *ne, struct ob_error *err);

/* Remove every namespace in /var/run/netns whose name starts with prefix
 * (leftovers of a killed run).  Returns the number removed, or -1. */
int ob_netenv_cleanup_prefix(const char *prefix, struct ob_error *err);

/* One namespace of the runner's own with only loopback (up), for a runtime
 * that would otherwise make one it may leave behind; its path in path. */
int ob_netns_add(const char *name, char *path, size_t len, struct ob_error *err);
int ob_netns_delete(const char *name, struct ob_error *err);

#endif
