/* app.c: server (placeholder until implemented) */
