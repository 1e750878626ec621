/* routes_messages.c: server (placeholder until implemented) */
