/* Core object layouts: config, context, connection, key, mempair. */
#ifndef PLUGTLS_CORE_OBJECTS_H
#define PLUGTLS_CORE_OBJECTS_H

#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct pt_blob {
	unsigned char *data;
	size_t len;
	char *label; /* "add_ca_file(/etc/x.pem)", for messages */
} pt_blob;

typedef struct pt_blobs {
	pt_blob *v;
	size_t n;
} pt_blobs;

#define PT_PSK_ID_MAX 128
#define PT_PSK_KEY_MIN 16
#define PT_PSK_KEY_MAX 64
#define PT_MAX_PSKS 64
#define PT_MAX_CA_SOURCES 256

typedef struct pt_psk {
	unsigned char id[PT_PSK_ID_MAX];
	size_t id_len;
	unsigned char key[PT_PSK_KEY_MAX];
	size_t key_len;
} pt_psk;

/* Policy shared by config and context (a context copies it). */
typedef struct pt_policy {
	plugtls_role role;
	plugtls_client_cert client_cert;
	bool no_verify_chain, no_verify_host;
	int64_t verify_time; /* 0: now */
	int depth;
	unsigned min_version, max_version;
	char profile[16];
	unsigned char *alpn; /* wire format */
	size_t alpn_len;
	pt_pins pins;
	plugtls_crl_mode crl_mode;
	bool crl_mode_set;
	pt_psk *psks;
	size_t n_psks;
	int tickets; /* -1: provider default, 0 off, 1 on */
	pt_logger logger;
	plugtls_keylog_fn keylog;
	void *keylog_arg;
	unsigned io_timeout_ms;
} pt_policy;

struct plugtls_config {
	plugtls_error err;
	pt_policy pol;
	pt_blobs cas;
	pt_blobs crls;
	bool ca_system;
	/* Own identity: cert + key, or a PKCS#12 bundle. Secrets wiped. */
	pt_blob cert;
	pt_blob key;
	char *key_password;
	pt_blob p12;
	char *p12_password;
};

struct plugtls_ctx {
	pt_obj hdr; /* first: log owner for backends */
	pt_policy pol;
	const plugtls_provider *prov;
	atomic_uint refs; /* 1 + live connections */
	pthread_mutex_t err_lock;
	plugtls_error err;
	void *native;
	void *trust;
	plugtls_chain *own_chain;
	void *own_key;
	/* Trust anchors the provider reported in built chains, each read
	 * once for the core's checks (verify.c). Entries [0, n_anchors) are
	 * immutable once n_anchors covers them; appending takes
	 * anchors_lock. */
	pthread_mutex_t anchors_lock;
	size_t n_anchors;
	struct {
		const void *native; /* owned by trust */
		plugtls_cert *cert;
	} anchors[PT_ANCHOR_CACHE];
};

typedef enum pt_transport_kind {
	PT_TR_NONE = 0,
	PT_TR_CALLBACK,
	PT_TR_FD,
	PT_TR_MEMPAIR
} pt_transport_kind;

typedef enum pt_conn_state {
	PT_CONN_NEW = 0,
	PT_CONN_HANDSHAKING,
	PT_CONN_ESTABLISHED,
	PT_CONN_CLOSED, /* peer's close_notify received */
	PT_CONN_FAILED
} pt_conn_state;

struct plugtls_conn {
	pt_obj hdr; /* first */
	plugtls_ctx *ctx;
	const plugtls_provider *prov;
	plugtls_error err;
	void *native;
	pt_conn_state state;
	plugtls_err fail_code; /* sticky once FAILED */
	/* transport */
	pt_transport_kind tkind;
	plugtls_read_fn rd;
	plugtls_write_fn wr;
	void *user;
	int fd;
	plugtls_mempair *mp;
	int mp_end;
	/* peer identity */
	char *host;
	unsigned char ip[16];
	size_t ip_len;
	char *sni;
	unsigned char *session;
	size_t session_len;
	/* verification */
	bool verify_called;
	uint32_t verdict;
	/* The peer's chain as plugtls certificates. Built at verification
	 * only when it failed; after a successful one (peer_n certificates)
	 * on the first plugtls_conn_peer_chain(), from the provider's
	 * conn.peer_chain, and published atomically (getters are const). */
	plugtls_chain *peer_chain;
	size_t peer_n;
	/* negotiated, cached after the handshake; the strings are allocated
	 * only when the handshake produced them (NULL otherwise) */
	unsigned version;
	const char *cipher;
	char *alpn;
	bool resumed;
	char *servername;
	char *psk_identity; /* wiped when freed */
	const pt_psk *psk_used;
	bool shutdown_sent;
};

struct plugtls_key {
	const plugtls_provider *prov;
	void *native;
	plugtls_prov_key_type type;
	unsigned bits;
};

/* ---- config.c ---- */
PT_HIDDEN void pt_policy_clear(pt_policy *pol);
PT_HIDDEN plugtls_err pt_policy_copy(pt_policy *dst, const pt_policy *src);
PT_HIDDEN void pt_blob_clear(pt_blob *b, bool secret);
PT_HIDDEN void pt_blobs_clear(pt_blobs *bs);
/* The system CA bundle as one CA source in out (the config unchanged). */
PT_HIDDEN plugtls_err pt_config_system_cas(plugtls_config *cfg,
					   pt_blobs *out);

/* ---- key.c ---- */
PT_HIDDEN plugtls_err pt_key_new(const plugtls_provider *p,
				 const unsigned char *data, size_t len,
				 const char *password, plugtls_key **out,
				 plugtls_error *err);
PT_HIDDEN plugtls_err pt_pkcs12_import(const plugtls_provider *p,
				       const unsigned char *der, size_t len,
				       const char *password, plugtls_key **key,
				       plugtls_chain **chain,
				       plugtls_error *err);

/* ---- verify.c ---- */
/* The whole verification of a chain of natives (leaf first) under a
 * context's policy. peer is the chain as received (for pins when chain
 * verification is off). Returns PLUGTLS_OK when verification ran (verdict
 * in *reasons), or an error. */
PT_HIDDEN plugtls_err pt_verify_run(plugtls_ctx *ctx, void *const *natives,
				    size_t n, const plugtls_chain *peer,
				    const char *host, unsigned purpose,
				    uint32_t *reasons, plugtls_error *err);
/* The same for a peer's natives alone (plugtls_prov_verify_peer): each
 * native becomes a plugtls certificate at most once (the leaf is shared
 * by the checks and the built chain). When peer_out is not NULL and the
 * verdict is not 0, *peer_out receives the peer's chain as sent (for
 * plugtls_conn_peer_chain after a refusal). */
PT_HIDDEN plugtls_err pt_verify_natives(plugtls_ctx *ctx,
					void *const *natives, size_t n,
					const char *host, unsigned purpose,
					uint32_t *reasons,
					plugtls_chain **peer_out,
					plugtls_error *err);

/* ---- ctx.c ---- */
PT_HIDDEN void pt_ctx_ref(plugtls_ctx *ctx);
PT_HIDDEN void pt_ctx_unref(plugtls_ctx *ctx);

/* ---- transport.c ---- */
PT_HIDDEN void pt_mempair_ref(plugtls_mempair *mp);
PT_HIDDEN void pt_mempair_unref(plugtls_mempair *mp);
PT_HIDDEN plugtls_err pt_mempair_read(plugtls_mempair *mp, int end, void *buf,
				      size_t len, size_t *n);
PT_HIDDEN plugtls_err pt_mempair_write(plugtls_mempair *mp, int end,
				       const void *buf, size_t len, size_t *n);
PT_HIDDEN plugtls_err pt_fd_read(plugtls_conn *c, void *buf, size_t len,
				 size_t *n);
PT_HIDDEN plugtls_err pt_fd_write(plugtls_conn *c, const void *buf,
				  size_t len, size_t *n);
/* Gathered: one sendmsg/writev of at most PLUGTLS_PROV_IOV_MAX buffers. */
PT_HIDDEN plugtls_err pt_fd_writev(plugtls_conn *c,
				   const plugtls_prov_iovec *iov, size_t iovcnt,
				   size_t *n);

/* ---- cipher.c ---- */
/* IANA name of a TLS cipher suite, NULL when unknown. */
PT_HIDDEN const char *pt_cipher_name(uint16_t id);

#endif
