/* crc32.c: event-stream (placeholder until implemented) */
