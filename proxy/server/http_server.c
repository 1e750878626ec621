/* http_server.c: server (placeholder until implemented) */
