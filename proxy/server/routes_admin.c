/* routes_admin.c: server (placeholder until implemented) */
