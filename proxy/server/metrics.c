/* metrics.c: server (placeholder until implemented) */
