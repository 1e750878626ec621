/* config.c: credentials (placeholder until implemented) */
