/* upstream_share.h: the connection cache that every upstream call shares.
 *
 * Each upstream call drives its own libcurl multi handle (upstream.c), and a multi handle's
 * connection cache dies with it: without a shared cache every request opened a new TCP (and
 * TLS) connection to the upstream, which was most of the time to first byte the proxy added
 * (bench-stream, REPORT.md section 4). Easy handles given this share keep their connections
 * (and TLS sessions and DNS answers) in one cache across calls and threads; libcurl takes the
 * locks below around every access, so the cache is never held across network I/O. */
#ifndef KIRO_SERVER_UPSTREAM_SHARE_H
#define KIRO_SERVER_UPSTREAM_SHARE_H

#include <curl/curl.h>

/* The process-wide share (created on first use; lives until exit), or NULL when libcurl
 * cannot make one: callers then simply do not set CURLOPT_SHARE. */
CURLSH *upstream_share(void);

#endif
