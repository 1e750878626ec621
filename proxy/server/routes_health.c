/* routes_health.c: server (placeholder until implemented) */
