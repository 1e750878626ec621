/* anthropic_to_kiro.c: translation (placeholder until implemented) */
