/* netenv-tool - drive runner/net/netenv.c from the end-to-end tests.
 *   netenv-tool create PREFIX SUBNET N   create, print "ns addr" per endpoint
 *   netenv-tool cleanup PREFIX           remove PREFIX* namespaces, print count
 *   netenv-tool subnet TEXT              parse a subnet (exit 2 when bad) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netenv.h"
#include "proc.h"

int main(int argc, char **argv)
{
	struct ob_error err = {0};
	struct ob_netenv ne;
	struct in_addr net;
	int n;

	if (ob_proc_setup(&err) < 0)
		goto fail;
	if (argc == 3 && strcmp(argv[1], "subnet") == 0) {
		if (ob_netenv_parse_subnet(argv[2], &net, &err) < 0)
			goto fail;
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "create") == 0) {
		if (ob_netenv_parse_subnet(argv[3], &net, &err) < 0 ||
		    ob_netenv_create(&ne, argv[2], net, (unsigned)atoi(argv[4]), &err) < 0)
			goto fail;
		for (unsigned i = 0; i < ne.n; i++)
			printf("%s %s\n", ne.ns[i], ne.addr[i]);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "cleanup") == 0) {
		n = ob_netenv_cleanup_prefix(argv[2], &err);
		if (n < 0)
			goto fail;
		printf("%d\n", n);
		return 0;
	}
	fprintf(stderr, "usage: netenv-tool create PREFIX SUBNET N | cleanup PREFIX | subnet TEXT\n");
	return 2;
fail:
	ob_err_print("netenv-tool", &err);
	return err.status;
}
