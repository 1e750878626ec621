/* user_store.c: credentials (placeholder until implemented) */
