/* routes_models.c: server (placeholder until implemented) */
