/* auth.c: server (placeholder until implemented) */
