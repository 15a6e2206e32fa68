"""From a YAML file on disk to a checked Questionnaire: read, parse with positions, schema, semantics."""
