/* encoder.c: event-stream (placeholder until implemented) */
