/* sha256.c: credentials (placeholder until implemented) */
