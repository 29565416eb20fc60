"""Compat parity tests: Keras runs on JAX (set before keras is first imported)."""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
