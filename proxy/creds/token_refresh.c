/* token_refresh.c: credentials (placeholder until implemented) */
