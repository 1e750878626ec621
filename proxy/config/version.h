/* version.h: the proxy's version, in one place: --version prints "kiro-proxy <version>",
 * /health reports it, and the token refresher's User-Agent carries it. */
#ifndef KIRO_CONFIG_VERSION_H
#define KIRO_CONFIG_VERSION_H

#define KIRO_PROXY_VERSION "1.0.0"

#endif
