/* atomic_file.c: credentials (placeholder until implemented) */
