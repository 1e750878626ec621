/* model_catalog.c: translation (placeholder until implemented) */
