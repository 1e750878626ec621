/* log_async.c: logger (placeholder until implemented) */
