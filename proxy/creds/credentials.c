/* credentials.c: credentials (placeholder until implemented) */
