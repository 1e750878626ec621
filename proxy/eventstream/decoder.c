/* decoder.c: event-stream (placeholder until implemented) */
