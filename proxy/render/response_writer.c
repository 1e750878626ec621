/* response_writer.c: rendering (placeholder until implemented) */
