/* token_estimate.c: translation (placeholder until implemented) */
