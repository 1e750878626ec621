/* model_refresher.c: server (placeholder until implemented) */
