/* log_blocking.c: logger (placeholder until implemented) */
