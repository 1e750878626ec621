/* kiro_event.c: rendering (placeholder until implemented) */
