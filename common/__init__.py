"""Small helpers every layer may use: no models, no domain knowledge, no imports from apps."""
