/* Static names of capability and verification-reason bits. */
#include "internal.h"

const char *plugtls_cap_name(uint64_t cap)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} names[] = {
		{PLUGTLS_CAP_TLS12, "tls12"},
		{PLUGTLS_CAP_TLS13, "tls13"},
		{PLUGTLS_CAP_PSK_TLS12, "psk-tls12"},
		{PLUGTLS_CAP_PSK_TLS13, "psk-tls13"},
		{PLUGTLS_CAP_ALPN, "alpn"},
		{PLUGTLS_CAP_SNI, "sni"},
		{PLUGTLS_CAP_TICKETS, "tickets"},
		{PLUGTLS_CAP_SESSION_EXPORT, "session-export"},
		{PLUGTLS_CAP_KEYLOG, "keylog"},
		{PLUGTLS_CAP_CRL, "crl"},
		{PLUGTLS_CAP_PKCS12_IMPORT, "pkcs12-import"},
		{PLUGTLS_CAP_PKCS12_EXPORT, "pkcs12-export"},
		{PLUGTLS_CAP_ED25519, "ed25519"},
		{PLUGTLS_CAP_RSA_PSS, "rsa-pss"},
		{PLUGTLS_CAP_NAME_CONSTRAINTS, "name-constraints"},
		{PLUGTLS_CAP_ENCRYPTED_KEYS, "encrypted-keys"},
		{PLUGTLS_CAP_CHACHA20, "chacha20"},
		{PLUGTLS_CAP_AES_GCM, "aes-gcm"},
		{PLUGTLS_CAP_MTLS, "mtls"},
		{PLUGTLS_CAP_PKCS12_LEGACY, "pkcs12-legacy"},
		{PLUGTLS_CAP_X25519, "x25519"},
		{PLUGTLS_CAP_ECDSA, "ecdsa"},
		{PLUGTLS_CAP_RSA, "rsa"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].bit == cap)
			return names[i].name;
	return "unknown";
}

const char *plugtls_verify_reason_name(uint32_t bit)
{
	switch (bit) {
	case PLUGTLS_VERIFY_EXPIRED: return "expired";
	case PLUGTLS_VERIFY_NOT_YET_VALID: return "not-yet-valid";
	case PLUGTLS_VERIFY_UNKNOWN_ISSUER: return "unknown-issuer";
	case PLUGTLS_VERIFY_SELF_SIGNED: return "self-signed";
	case PLUGTLS_VERIFY_HOSTNAME: return "hostname-mismatch";
	case PLUGTLS_VERIFY_PIN: return "pin-mismatch";
	case PLUGTLS_VERIFY_BAD_SIGNATURE: return "bad-signature";
	case PLUGTLS_VERIFY_REVOKED: return "revoked";
	case PLUGTLS_VERIFY_NOT_CA: return "not-ca";
	case PLUGTLS_VERIFY_PURPOSE: return "wrong-purpose";
	case PLUGTLS_VERIFY_WEAK_ALGORITHM: return "weak-algorithm";
	case PLUGTLS_VERIFY_NAME_CONSTRAINTS: return "name-constraints";
	case PLUGTLS_VERIFY_CHAIN_TOO_LONG: return "chain-too-long";
	case PLUGTLS_VERIFY_NO_CERTIFICATE: return "no-certificate";
	case PLUGTLS_VERIFY_CRL_UNAVAILABLE: return "crl-unavailable";
	case PLUGTLS_VERIFY_OTHER: return "other";
	}
	return "unknown";
}
