/* Deliberately broken provider modules for tests/modules: each kind fails
 * one of the core's checks before anything of the table is called. */
#include <plugtls/provider.h>

#if defined(BAD_ABI)
/* Built against another ABI: only the two leading fields are trusted. */
static const struct plugtls_provider table = {
	.abi_version = PLUGTLS_PROVIDER_ABI + 98,
	.struct_size = sizeof(struct plugtls_provider),
	.name = "badabi",
};
PLUGTLS_PROVIDER_MODULE(table)
#elif defined(BAD_NAME)
/* The file says plugtls-badname.so, the table says otherwise. */
static const struct plugtls_provider table = {
	.abi_version = PLUGTLS_PROVIDER_ABI,
	.struct_size = sizeof(struct plugtls_provider),
	.name = "someoneelse",
};
PLUGTLS_PROVIDER_MODULE(table)
#elif defined(BAD_SLOTS)
/* The right ABI and name, but mandatory slots left NULL. */
static const struct plugtls_provider table = {
	.abi_version = PLUGTLS_PROVIDER_ABI,
	.struct_size = sizeof(struct plugtls_provider),
	.name = "badslots",
};
PLUGTLS_PROVIDER_MODULE(table)
#elif defined(BAD_DECLINES)
/* The entry point refuses every core ABI. */
__attribute__((visibility("default"))) const struct plugtls_provider *
plugtls_provider_module(uint32_t core_abi);
__attribute__((visibility("default"))) const struct plugtls_provider *
plugtls_provider_module(uint32_t core_abi)
{
	(void)core_abi;
	return NULL;
}
#else
/* A shared object with no entry point at all. */
__attribute__((visibility("default"))) int not_a_plugtls_module(void);
__attribute__((visibility("default"))) int not_a_plugtls_module(void)
{
	return 42;
}
#endif
