/* netenv.c - see netenv.h */
#include "netenv.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "proc.h"

#define NETNS_DIR "/var/run/netns"

bool ob_netenv_private(struct in_addr net)
{
	uint32_t a = ntohl(net.s_addr);

	return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168);
}

int ob_netenv_parse_subnet(const char *text, struct in_addr *net, struct ob_error *err)
{
	char buf[INET_ADDRSTRLEN + 4];
	char *slash;

	if (strlen(text) >= sizeof(buf))
		goto bad;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash == NULL || strcmp(slash, "/24") != 0)
		goto bad;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, net) != 1)
		goto bad;
	net->s_addr &= htonl(0xffffff00u);
	/* RFC 1918 only: the containers' addresses must never shadow a real one */
	if (!ob_netenv_private(*net))
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "--net-subnet '%s' is not private (10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)",
			      text);
	return 0;
bad:
	return ob_err(err, OB_EXIT_USAGE, 0,
		      "invalid value '%s' for --net-subnet: expected a private IPv4 /24 such as 10.199.0.0/24",
		      text);
}

void ob_netenv_path(const struct ob_netenv *ne, unsigned i, char *buf, size_t len)
{
	snprintf(buf, len, NETNS_DIR "/%s", ne->ns[i]);
}

static void bridge_ns(const struct ob_netenv *ne, char *buf, size_t len)
{
	snprintf(buf, len, "%s-br", ne->prefix);
}

int ob_netenv_readdr(const struct ob_netenv *ne, unsigned i, struct ob_error *err)
{
	char cidr[INET_ADDRSTRLEN + 4];

	snprintf(cidr, sizeof(cidr), "%s/24", ne->addr[i]);
	if (ob_proc_cmdl(err, "ip", "-n", ne->ns[i], "addr", "replace", cidr, "dev", "eth0", NULL) < 0 ||
	    ob_proc_cmdl(err, "ip", "-n", ne->ns[i], "link", "set", "eth0", "up", NULL) < 0)
		return ob_err_wrap(err, "network endpoint %s", ne->ns[i]);
	return 0;
}

int ob_netenv_reset(const struct ob_netenv *ne, unsigned i, struct ob_error *err)
{
	char *ip = ob_proc_which("ip"), *out = NULL, *line, *save = NULL;
	char *argv[] = { ip, "-n", (char *)ne->ns[i], "-o", "link", "show", NULL };
	int st, ret = -1;

	if (ip == NULL)
		return ob_err(err, OB_EXIT_FAIL, 0, "ip (iproute2) not found on PATH");
	if (ob_proc_capture(argv, OB_PROC_CMD_TIMEOUT_NS, &st, &out, err) < 0)
		goto out;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		ob_err(err, OB_EXIT_FAIL, 0, "'ip -n %s link show' failed: %s", ne->ns[i], out);
		goto out;
	}
	/* "N: NAME[@PEER]: <FLAGS> ..." a line */
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64];

		if (sscanf(line, "%*u: %63[^:@ ]", name) != 1 || strcmp(name, "lo") == 0 ||
		    strcmp(name, "eth0") == 0)
			continue;
		if (ob_proc_cmdl(err, "ip", "-n", ne->ns[i], "link", "delete", name, NULL) < 0)
			goto out;
	}
	/* eth0 may have none: deleting it may fail */
	ob_proc_cmdl(NULL, "tc", "-n", ne->ns[i], "qdisc", "del", "dev", "eth0", "ingress", NULL);
	ret = ob_netenv_readdr(ne, i, err);
out:
	free(out);
	free(ip);
	return ret < 0 ? ob_err_wrap(err, "resetting network endpoint %s", ne->ns[i]) : 0;
}

static int add_endpoint(struct ob_netenv *ne, unsigned i, struct ob_error *err)
{
	char br[64], port[16];
	struct in_addr a = ne->net;

	snprintf(ne->ns[i], sizeof(ne->ns[i]), "%s-%u", ne->prefix, i);
	a.s_addr = htonl(ntohl(ne->net.s_addr) + i + 2);
	inet_ntop(AF_INET, &a, ne->addr[i], sizeof(ne->addr[i]));
	bridge_ns(ne, br, sizeof(br));
	snprintf(port, sizeof(port), "port%u", i);

	if (ob_proc_cmdl(err, "ip", "netns", "add", ne->ns[i], NULL) < 0)
		return -1;
	ne->created++;
	/* the pair is made inside the bridge namespace, its peer moved straight
	 * into the endpoint's: the root namespace never sees either end */
	if (ob_proc_cmdl(err, "ip", "-n", br, "link", "add", port, "type", "veth", "peer", "name",
		    "eth0", "netns", ne->ns[i], NULL) < 0 ||
	    ob_proc_cmdl(err, "ip", "-n", br, "link", "set", port, "master", "br0", "up", NULL) < 0 ||
	    ob_proc_cmdl(err, "ip", "-n", ne->ns[i], "link", "set", "lo", "up", NULL) < 0)
		return -1;
	return ob_netenv_readdr(ne, i, err);
}

int ob_netenv_create(struct ob_netenv *ne, const char *prefix, struct in_addr net, unsigned n,
		     struct ob_error *err)
{
	char br[64];

	memset(ne, 0, sizeof(*ne));
	if (n == 0 || n > OB_NETENV_MAX)
		return ob_err(err, OB_EXIT_FAIL, 0, "network: %u endpoints (1-%d)", n, OB_NETENV_MAX);
	if (strlen(prefix) >= sizeof(ne->prefix) - 4)
		return ob_err(err, OB_EXIT_FAIL, 0, "network: prefix '%s' too long", prefix);
	strcpy(ne->prefix, prefix);
	ne->n = n;
	ne->net = net;
	bridge_ns(ne, br, sizeof(br));
	if (ob_proc_cmdl(err, "ip", "netns", "add", br, NULL) < 0)
		return ob_err_wrap(err, "creating network namespace %s", br);
	ne->bridge_created = 1;
	if (ob_proc_cmdl(err, "ip", "-n", br, "link", "add", "br0", "type", "bridge", NULL) < 0 ||
	    ob_proc_cmdl(err, "ip", "-n", br, "link", "set", "br0", "up", NULL) < 0)
		goto fail;
	for (unsigned i = 0; i < n; i++)
		if (add_endpoint(ne, i, err) < 0)
			goto fail;
	return 0;
fail:
	ob_err_wrap(err, "setting up the network %s", prefix);
	ob_netenv_destroy(ne, NULL); /* the first error is the one to report */
	return -1;
}

int ob_netenv_destroy(struct ob_netenv *ne, struct ob_error *err)
{
	char br[64];
	int ret = 0;

	for (unsigned i = 0; i < ne->created; i++)
		if (ob_proc_cmdl(err, "ip", "netns", "delete", ne->ns[i], NULL) < 0)
			ret = -1;
	ne->created = 0;
	if (ne->bridge_created) {
		bridge_ns(ne, br, sizeof(br));
		if (ob_proc_cmdl(err, "ip", "netns", "delete", br, NULL) < 0)
			ret = -1;
		ne->bridge_created = 0;
	}
	return ret;
}

int ob_netenv_cleanup_prefix(const char *prefix, struct ob_error *err)
{
	DIR *d = opendir(NETNS_DIR);
	struct dirent *e;
	int removed = 0, ret = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : ob_err(err, OB_EXIT_FAIL, errno, "opening " NETNS_DIR);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (ob_proc_cmdl(err, "ip", "netns", "delete", e->d_name, NULL) < 0)
			ret = -1;
		else
			removed++;
	}
	closedir(d);
	return ret < 0 ? -1 : removed;
}

int ob_netns_add(const char *name, char *path, size_t len, struct ob_error *err)
{
	if (ob_proc_cmdl(err, "ip", "netns", "add", name, NULL) < 0)
		return ob_err_wrap(err, "creating network namespace %s", name);
	if (ob_proc_cmdl(err, "ip", "-n", name, "link", "set", "lo", "up", NULL) < 0) {
		ob_netns_delete(name, NULL); /* the first error is the one to report */
		return ob_err_wrap(err, "network namespace %s", name);
	}
	snprintf(path, len, NETNS_DIR "/%s", name);
	return 0;
}

int ob_netns_delete(const char *name, struct ob_error *err)
{
	return ob_proc_cmdl(err, "ip", "netns", "delete", name, NULL);
}
