/* sse.c: rendering (placeholder until implemented) */
