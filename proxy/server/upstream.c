/* upstream.c: server (placeholder until implemented) */
