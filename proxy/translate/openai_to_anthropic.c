/* openai_to_anthropic.c: translation (placeholder until implemented) */
