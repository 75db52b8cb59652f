/* netcell.h - one cell of the net test: a server container and a client
 * container, each in its own network namespace of a private network
 * (netenv.h) made for the cell and removed after it.
 *
 * The server (`ocibench-net -s -1`, endpoint 0) is created and started;
 * once it prints that it listens, the client (endpoint 1) goes through the
 * timed lifecycle and its JSON is the cell's result; then the server is
 * waited for and deleted (deleted with --force whatever happened).  The
 * server runs under the suite's net_peer runtime when there is one.
 *
 * runsc columns: the built-in --network=none becomes --network=sandbox (a
 * --network=... the user gave is kept, e.g. host); with the sandbox
 * netstack on a kernel that shows /proc/sys/net/core/rmem_default in every
 * network namespace (>= 6.11), create/start/run see an empty tmpfs over
 * /proc/sys/net (RUNTIMES.md, "runsc network").
 *
 * Namespaces: OB_CONTAINER_PREFIX RUNID OB_NETNS_INFIX SEQ "-br|-0|-1".
 */
#ifndef OB_NETCELL_H
#define OB_NETCELL_H

#include "lifecycle.h"
#include "suite.h"

#define OB_NET_PORT 5201

void ob_net_cell(const struct ob_suite *s, const struct ob_runtime *rt, const struct ob_test *t,
		 const char *variant, size_t seq, struct ob_lc_result *r);

#define OB_NET_SYSCTL_DIR "/proc/sys/net"

/* Does a fresh network namespace show net.core.rmem_default, which this
 * runsc takes for the host's?  Then its sandbox network needs an empty
 * tmpfs over OB_NET_SYSCTL_DIR.  Asked once. */
bool ob_net_sysctl_leaks(void);

#endif
