/* routes_openai.c: server (placeholder until implemented) */
