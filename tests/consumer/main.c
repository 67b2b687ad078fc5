#include <plugtls/plugtls.h>
#include <stdio.h>

int main(void)
{
	const plugtls_provider *p = NULL;
	if (plugtls_provider_get_default(&p) != PLUGTLS_OK) {
		fprintf(stderr, "consumer: %s\n", plugtls_thread_error()->message);
		return 1;
	}
	printf("consumer: %zu provider(s), default %s %s\n",
	       plugtls_provider_count(), plugtls_provider_name(p),
	       plugtls_provider_version(p));
	plugtls_provider_release(p);
	return 0;
}
