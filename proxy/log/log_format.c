/* log_format.c: logger (placeholder until implemented) */
