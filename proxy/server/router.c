/* router.c: server (placeholder until implemented) */
